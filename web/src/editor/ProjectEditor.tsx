// The code editor over a project: file tabs (FileTabs) and the shared editor bound to the open
// file's Y.Text, with the entry point Run runs (the session's entry file unless the user picks
// another). A session without extra files looks exactly as before: one tab, `main.py`.
import { useState } from "react";
import type * as Y from "yjs";
import type { Awareness } from "y-protocols/awareness";
import { roots } from "../sync/schema";
import { Editor } from "./Editor";
import { FileTabs, useProjectTabs } from "./FileTabs";
import "./project.css";

export interface ProjectEditorProps {
  doc: Y.Doc;
  awareness: Awareness;
  main: string;
  entry: string;
  onEntry: (path: string) => void;
  readOnly: boolean;
  dark: boolean;
  vim: boolean;
  onRun: () => void;
  onRunSelection?: (code: string) => void;
  onSelection?: (code: string | null) => void;
  tabIndents?: boolean;
  /** Called once the editor is mounted (the room's readiness mark). */
  onMounted?: () => void;
  say: (message: string) => void;
}

/** The text of a project file: the entry file is `code.source`, the others `code.files`. */
export function fileText(doc: Y.Doc, main: string, path: string): Y.Text | undefined {
  return path === main ? roots.code.source(doc) : roots.code.files<Y.Text>(doc).get(path);
}

export function ProjectEditor(props: ProjectEditorProps) {
  const files = roots.code.files<Y.Text>(props.doc);
  const [active, setActive] = useState(props.main);
  const tabs = useProjectTabs(props.main, files);
  const text = fileText(props.doc, props.main, active) ?? roots.code.source(props.doc);
  return (
    <div className="project-editor">
      <div className="project-bar">
        <FileTabs main={props.main} files={files} active={active} onSelect={setActive}
          canWrite={!props.readOnly} say={props.say} />
        {tabs.length > 1 ? (
          <label className="entry-point">
            Run runs{" "}
            <select value={tabs.includes(props.entry) ? props.entry : props.main} data-testid="entry-point"
              onChange={(e) => props.onEntry(e.currentTarget.value)}>
              {tabs.filter((t) => t.endsWith(".py")).map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </label>
        ) : null}
      </div>
      <Editor text={text} awareness={props.awareness} readOnly={props.readOnly} dark={props.dark}
        vim={props.vim} onRun={props.onRun} label={`Code editor: ${active}`}
        onRunSelection={props.onRunSelection} onSelection={props.onSelection} tabIndents={props.tabIndents}
        onMounted={props.onMounted} language={active.endsWith(".py") ? "python" : "text"} />
    </div>
  );
}
