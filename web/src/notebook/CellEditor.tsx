// One cell's editor: CodeMirror 6 bound to the cell's Y.Text (`source`) with y-codemirror.next,
// on the notebook doc's awareness, so a remote cursor shows in the cell it is in. Jupyter's keys:
// Shift-Enter runs and moves on, Ctrl/Cmd-Enter runs in place; Ctrl/Cmd-Shift-Enter runs the
// selected lines (`selectedLines`, the file editor's rule) in the same kernel.
import { useEffect, useRef } from "react";
import { basicSetup } from "codemirror";
import { Compartment, EditorState, type Extension, Prec } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { python } from "@codemirror/lang-python";
import { oneDark } from "@codemirror/theme-one-dark";
import { yCollab, yUndoManagerKeymap } from "y-codemirror.next";
import * as Y from "yjs";
import type { Awareness } from "y-protocols/awareness";
import { selectedLines } from "../editor/selection";

export interface CellEditorProps {
  text: Y.Text;
  awareness: Awareness;
  readOnly: boolean;
  dark: boolean;
  markdown: boolean;
  label: string;
  autoFocus: boolean;
  onRunAndAdvance: () => void;
  onRun: () => void;
  /** The selected lines (never empty); absent where the cell cannot run code. */
  onRunSelection?: (code: string) => void;
  onFocus: () => void;
}

const readOnlyExt = (ro: boolean): Extension => [EditorState.readOnly.of(ro), EditorView.editable.of(!ro)];

export function CellEditor(props: CellEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const handlers = useRef(props);
  handlers.current = props;
  const parts = useRef({ readOnly: new Compartment(), theme: new Compartment() });

  useEffect(() => {
    const undoManager = new Y.UndoManager(props.text);
    const c = parts.current;
    const run = (fn: () => void) => () => {
      fn();
      return true;
    };
    const state = EditorState.create({
      doc: props.text.toString(),
      extensions: [
        Prec.highest(
          keymap.of([
            { key: "Shift-Enter", run: run(() => handlers.current.onRunAndAdvance()) },
            { key: "Mod-Enter", run: run(() => handlers.current.onRun()) },
            {
              key: "Mod-Shift-Enter",
              run: (v) => {
                const code = selectedLines(v.state);
                if (code !== null) handlers.current.onRunSelection?.(code);
                return true;
              },
            },
          ]),
        ),
        keymap.of(yUndoManagerKeymap),
        basicSetup,
        props.markdown ? EditorView.lineWrapping : python(),
        c.theme.of(props.dark ? oneDark : []),
        c.readOnly.of(readOnlyExt(props.readOnly)),
        EditorView.contentAttributes.of({ "aria-label": props.label }),
        EditorView.domEventHandlers({ focus: () => handlers.current.onFocus() }),
        yCollab(props.text, props.awareness, { undoManager }),
      ],
    });
    const v = new EditorView({ state, parent: host.current! });
    view.current = v;
    return () => {
      v.destroy();
      undoManager.destroy();
      view.current = null;
    };
    // Rebuilt only when bound to another text.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.text, props.awareness]);

  useEffect(() => {
    view.current?.dispatch({ effects: parts.current.readOnly.reconfigure(readOnlyExt(props.readOnly)) });
  }, [props.readOnly]);
  useEffect(() => {
    view.current?.dispatch({ effects: parts.current.theme.reconfigure(props.dark ? oneDark : []) });
  }, [props.dark]);
  useEffect(() => {
    if (props.autoFocus) view.current?.focus();
  }, [props.autoFocus]);

  return <div className="cell-editor" ref={host} data-readonly={props.readOnly ? "true" : "false"} />;
}
