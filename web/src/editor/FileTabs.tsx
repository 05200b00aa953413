// The project's files as tabs above the editor: the entry file (`code.source`, never renamed or
// deleted) and the files of `code.files`. Writers create, rename and delete files; everyone
// switches tabs. The shared map is the project: a file created here appears in everyone's tabs.
import { useEffect, useState } from "react";
import * as Y from "yjs";
import { pathProblem, tabsOf } from "./files";

export interface FileTabsProps {
  main: string;
  files: Y.Map<Y.Text>;
  active: string;
  onSelect: (path: string) => void;
  canWrite: boolean;
  say: (message: string) => void;
}

/** The paths of the project, re-read when files are added, renamed or removed. */
export function useProjectTabs(main: string, files: Y.Map<Y.Text>): string[] {
  const [tabs, setTabs] = useState(() => tabsOf(main, files.keys()));
  useEffect(() => {
    const update = () => setTabs(tabsOf(main, files.keys()));
    update();
    files.observe(update);
    return () => files.unobserve(update);
  }, [main, files]);
  return tabs;
}

export function FileTabs({ main, files, active, onSelect, canWrite, say }: FileTabsProps) {
  const tabs = useProjectTabs(main, files);
  const [naming, setNaming] = useState<{ from: string | null; value: string } | null>(null);

  useEffect(() => {
    if (!tabs.includes(active)) onSelect(main); // the open file was deleted or renamed
  }, [tabs, active, main, onSelect]);

  const commit = () => {
    if (!naming) return;
    const path = naming.value.trim();
    const problem = pathProblem(path, tabs.filter((t) => t !== naming.from));
    if (problem) {
      say(problem);
      return;
    }
    const doc = files.doc!;
    doc.transact(() => {
      const text = new Y.Text(naming.from ? (files.get(naming.from)?.toString() ?? "") : "");
      if (naming.from) files.delete(naming.from);
      files.set(path, text);
    });
    setNaming(null);
    onSelect(path);
  };

  return (
    <div className="file-tabs" role="tablist" aria-label="Project files">
      {tabs.map((path) => (
        <span key={path} className={`file-tab ${path === active ? "active" : ""}`}>
          <button type="button" role="tab" aria-selected={path === active} data-testid="file-tab"
            onClick={() => onSelect(path)}
            onDoubleClick={() => canWrite && path !== main && setNaming({ from: path, value: path })}>
            {path}
          </button>
          {canWrite && path !== main ? (
            <button type="button" className="file-delete" aria-label={`Delete file ${path}`}
              onClick={() => {
                if (window.confirm(`Delete ${path} for everyone?`)) files.delete(path);
              }}>
              <span aria-hidden="true">×</span>
            </button>
          ) : null}
        </span>
      ))}
      {naming ? (
        <input className="file-name" aria-label={naming.from ? `New name for ${naming.from}` : "New file name"}
          autoFocus value={naming.value}
          onChange={(e) => setNaming({ ...naming, value: e.currentTarget.value })}
          onKeyDown={(e) => {
            if (e.key === "Enter") commit();
            if (e.key === "Escape") setNaming(null);
          }}
          onBlur={() => setNaming(null)} />
      ) : canWrite ? (
        <button type="button" className="file-new" data-testid="new-file"
          onClick={() => setNaming({ from: null, value: "" })}>
          + File
        </button>
      ) : null}
    </div>
  );
}
