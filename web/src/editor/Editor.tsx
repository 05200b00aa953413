// The shared code editor: CodeMirror 6 bound to the `code` doc's Y.Text "source" through
// y-codemirror.next, which draws remote cursors and selections from awareness (`user.name`,
// `user.color`, `user.colorLight`) and gives each person an undo stack of their own edits only.
// Tab indents (Shift-Tab dedents); a keyboard user leaves with Escape then Tab, CodeMirror's own
// way out (the hint under the editor says so). Ctrl/Cmd-Enter runs the code, Ctrl/Cmd-Shift-Enter
// the selected lines.
import { useEffect, useId, useRef } from "react";
import { indentWithTab } from "@codemirror/commands";
import { basicSetup } from "codemirror";
import { Compartment, EditorState, Prec, type Extension } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { python } from "@codemirror/lang-python";
import { indentUnit } from "@codemirror/language";
import { oneDark } from "@codemirror/theme-one-dark";
import { yCollab, yUndoManagerKeymap } from "y-codemirror.next";
import { selectedLines } from "./selection";
import * as Y from "yjs";
import type { Awareness } from "y-protocols/awareness";

export interface EditorProps {
  text: Y.Text;
  awareness: Awareness;
  readOnly: boolean;
  dark: boolean;
  vim: boolean;
  language?: "python" | "text";
  onRun?: () => void;
  /** Run the selected lines (`selectedLines`); told whether there is a selection at all. */
  onRunSelection?: (code: string) => void;
  onSelection?: (code: string | null) => void;
  /** Tab indents (with Escape-then-Tab to leave, and the hint that says so). */
  tabIndents?: boolean;
  /** Called after each mount of the editor's view (the room's readiness mark takes the first). */
  onMounted?: () => void;
  label: string;
}

const readOnlyExt = (ro: boolean): Extension => [
  EditorState.readOnly.of(ro),
  EditorView.editable.of(!ro),
];

export function Editor(props: EditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onRun = useRef(props.onRun);
  onRun.current = props.onRun;
  const onRunSelection = useRef(props.onRunSelection);
  onRunSelection.current = props.onRunSelection;
  const onSelection = useRef(props.onSelection);
  onSelection.current = props.onSelection;
  const hintId = useId();
  const parts = useRef({
    readOnly: new Compartment(),
    theme: new Compartment(),
    vim: new Compartment(),
  });

  useEffect(() => {
    const undoManager = new Y.UndoManager(props.text);
    const c = parts.current;
    const state = EditorState.create({
      doc: props.text.toString(),
      extensions: [
        // Escape always opens the two-second Tab-leaves window, even when it also closes an
        // autocompletion popup (which would otherwise swallow it): one Esc, then Tab, leaves.
        Prec.highest(
          keymap.of([
            {
              key: "Escape",
              run: (v) => {
                v.setTabFocusMode(2000);
                return false;
              },
            },
          ]),
        ),
        c.vim.of([]),
        keymap.of([
          {
            key: "Mod-Enter",
            run: () => {
              onRun.current?.();
              return true;
            },
          },
          {
            key: "Mod-Shift-Enter",
            run: (v) => {
              const code = selectedLines(v.state);
              if (code !== null) onRunSelection.current?.(code);
              return true;
            },
          },
          ...yUndoManagerKeymap,
          ...(props.tabIndents ? [indentWithTab] : []),
        ]),
        basicSetup,
        // Python is indented by four spaces (PEP 8), with Tab as with Enter's auto-indent.
        props.language === "text" ? EditorView.lineWrapping : [python(), indentUnit.of("    ")],
        c.theme.of(props.dark ? oneDark : []),
        c.readOnly.of(readOnlyExt(props.readOnly)),
        EditorView.contentAttributes.of(
          props.tabIndents ? { "aria-label": props.label, "aria-describedby": hintId } : { "aria-label": props.label },
        ),
        EditorView.updateListener.of((u) => {
          if (u.selectionSet || u.docChanged) onSelection.current?.(selectedLines(u.state));
        }),
        yCollab(props.text, props.awareness, { undoManager }),
      ],
    });
    const v = new EditorView({ state, parent: host.current! });
    view.current = v;
    props.onMounted?.();
    return () => {
      v.destroy();
      undoManager.destroy();
      view.current = null;
    };
    // The editor is rebuilt only when it is bound to another text.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.text, props.awareness]);

  useEffect(() => {
    view.current?.dispatch({
      effects: parts.current.readOnly.reconfigure(readOnlyExt(props.readOnly)),
    });
  }, [props.readOnly]);

  useEffect(() => {
    view.current?.dispatch({ effects: parts.current.theme.reconfigure(props.dark ? oneDark : []) });
  }, [props.dark]);

  useEffect(() => {
    let cancelled = false;
    if (!props.vim) {
      view.current?.dispatch({ effects: parts.current.vim.reconfigure([]) });
      return;
    }
    // Vim keys are optional: their code is loaded only when someone turns them on.
    void import("@replit/codemirror-vim").then(({ vim }) => {
      if (!cancelled) view.current?.dispatch({ effects: parts.current.vim.reconfigure(vim()) });
    });
    return () => {
      cancelled = true;
    };
  }, [props.vim]);

  return (
    <>
      <div className="editor" ref={host} data-readonly={props.readOnly ? "true" : "false"} />
      {props.tabIndents && !props.readOnly ? (
        <p className="editor-hint muted" id={hintId} data-testid="editor-hint">
          Tab indents · <kbd>Esc</kbd> then <kbd>Tab</kbd> leaves the editor · Ctrl/Cmd-Enter runs ·
          Ctrl/Cmd-Shift-Enter runs the selected lines
        </p>
      ) : null}
    </>
  );
}
