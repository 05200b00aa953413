// The shared code editor: CodeMirror 6 bound to the `code` doc's Y.Text "source" through
// y-codemirror.next, which draws remote cursors and selections from awareness (`user.name`,
// `user.color`, `user.colorLight`) and gives each person an undo stack of their own edits only.
import { useEffect, useRef } from "react";
import { basicSetup } from "codemirror";
import { Compartment, EditorState, type Extension } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { python } from "@codemirror/lang-python";
import { oneDark } from "@codemirror/theme-one-dark";
import { yCollab, yUndoManagerKeymap } from "y-codemirror.next";
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
        c.vim.of([]),
        keymap.of([
          {
            key: "Mod-Enter",
            run: () => {
              onRun.current?.();
              return true;
            },
          },
          ...yUndoManagerKeymap,
        ]),
        basicSetup,
        props.language === "text" ? EditorView.lineWrapping : python(),
        c.theme.of(props.dark ? oneDark : []),
        c.readOnly.of(readOnlyExt(props.readOnly)),
        EditorView.contentAttributes.of({ "aria-label": props.label }),
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

  return <div className="editor" ref={host} data-readonly={props.readOnly ? "true" : "false"} />;
}
