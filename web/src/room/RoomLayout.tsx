// The room's resizable split panes: the work column (editor over console), the whiteboard and,
// for interviewers, the private panel. Sizes and the panel's collapsed state are remembered per
// browser in localStorage (react-resizable-panels' `useDefaultLayout`), so a reload keeps them.
// Panel ids are prefixed: the library also uses them as data-testid.
// Minimum sizes are in pixels and add up to less than 1024 px, so nothing is clipped from 1024 up.
import { useState, type ReactNode } from "react";
import { Group, Panel, Separator, useDefaultLayout, usePanelRef } from "react-resizable-panels";
import { LAYOUT_KEYS, PANE_MIN } from "./layoutPrefs";

const NOSCROLL = { overflow: "hidden" } as const;
/** Width of the collapsed panel's rail (it keeps the button that opens the panel again). */
const RAIL_PX = 32;

function SplitHandle({ label, vertical }: { label: string; vertical?: boolean }) {
  return <Separator className={`split-handle ${vertical ? "split-v" : "split-h"}`} aria-label={label} />;
}

export interface RoomLayoutProps {
  /** Above the editor, not resizable: the run toolbar, the brief, notices. */
  head: ReactNode;
  editor: ReactNode;
  console: ReactNode;
  board: ReactNode;
  /** The interviewer's private panel; null for every other role. */
  panel: ReactNode | null;
}

export function RoomLayout({ head, editor, console, board, panel }: RoomLayoutProps) {
  const withPanel = panel !== null;
  const columns = useDefaultLayout({
    id: withPanel ? LAYOUT_KEYS.columnsWithPanel : LAYOUT_KEYS.columns,
    storage: localStorage,
  });
  const rows = useDefaultLayout({ id: LAYOUT_KEYS.rows, storage: localStorage });
  const panelRef = usePanelRef();
  const [collapsed, setCollapsed] = useState(false);

  return (
    <Group
      orientation="horizontal"
      className="layout"
      data-testid="room-layout"
      defaultLayout={columns.defaultLayout}
      onLayoutChanged={columns.onLayoutChanged}
    >
      <Panel id="pane-work" defaultSize={withPanel ? "46%" : "55%"} minSize={PANE_MIN.work} style={NOSCROLL}>
        <main className="left" aria-label="Code and console">
          {head}
          <Group
            orientation="vertical"
            className="work-split"
            defaultLayout={rows.defaultLayout}
            onLayoutChanged={rows.onLayoutChanged}
          >
            <Panel id="pane-editor" defaultSize="62%" minSize={PANE_MIN.editor} style={NOSCROLL}>
              <div className="pane" data-testid="editor-pane">{editor}</div>
            </Panel>
            <SplitHandle label="Resize editor and console" vertical />
            <Panel id="pane-console" minSize={PANE_MIN.console} style={NOSCROLL}>
              <div className="pane" data-testid="console-pane">{console}</div>
            </Panel>
          </Group>
        </main>
      </Panel>
      <SplitHandle label="Resize code and whiteboard" />
      <Panel id="pane-board" minSize={PANE_MIN.board} style={NOSCROLL}>
        <section className="right" aria-label="Whiteboard" data-testid="board-pane">{board}</section>
      </Panel>
      {withPanel ? (
        <>
          <SplitHandle label="Resize the interviewer panel" />
          <Panel
            id="pane-panel"
            panelRef={panelRef}
            defaultSize="22%"
            minSize={PANE_MIN.panel}
            collapsible
            collapsedSize={RAIL_PX}
            onResize={(size) => setCollapsed(size.inPixels <= RAIL_PX + 1)}
            style={NOSCROLL}
          >
            <div className="side" data-testid="side-pane" data-collapsed={collapsed ? "true" : "false"}>
              <button
                type="button"
                className="side-toggle"
                data-testid="panel-toggle"
                aria-expanded={!collapsed}
                aria-controls="interviewer-panel"
                title={collapsed ? "Show the interviewer panel" : "Hide the interviewer panel"}
                onClick={() => (collapsed ? panelRef.current?.expand() : panelRef.current?.collapse())}
              >
                {collapsed ? "Show panel" : "Hide panel"}
              </button>
              <div id="interviewer-panel" className="side-body" hidden={collapsed}>
                {panel}
              </div>
            </div>
          </Panel>
        </>
      ) : null}
    </Group>
  );
}
