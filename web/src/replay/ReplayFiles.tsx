// The recorded project in the replay: the file tabs as the room shows them (the entry file, then
// `code.files` by path, read-only) over the open file at the scrubbed instant. A file deleted or
// renamed by then closes its tab and the entry file opens, as in the room.
import { useState } from "react";
import type * as Y from "yjs";
import type { Awareness } from "y-protocols/awareness";
import { Editor } from "../editor/Editor";
import { FileTabs } from "../editor/FileTabs";
import { fileText } from "../editor/ProjectEditor";
import { roots } from "../sync/schema";
import "../editor/project.css";

export function ReplayFiles({ doc, main, awareness, dark }: { doc: Y.Doc; main: string; awareness: Awareness; dark: boolean }) {
  const [active, setActive] = useState(main);
  const files = roots.code.files<Y.Text>(doc);
  const text = fileText(doc, main, active) ?? roots.code.source(doc);
  const shown = fileText(doc, main, active) ? active : main;
  return (
    <div className="project-editor" data-testid="replay-files">
      <div className="project-bar">
        <FileTabs main={main} files={files} active={shown} onSelect={setActive} canWrite={false} say={() => {}} />
      </div>
      <Editor text={text} awareness={awareness} readOnly dark={dark} vim={false} label={`Recorded code: ${shown}`}
        language={shown.endsWith(".py") ? "python" : "text"} />
    </div>
  );
}
