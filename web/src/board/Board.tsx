// The whiteboard: Excalidraw bound to the `board` doc (loaded lazily: it is most of the bundle).
//
// No maintained binding fits the contract (y-excalidraw binds a Y.Array, the contract is a Y.Map
// keyed by element id), so this is a small one: local changes go to the doc only when they win
// by version (board/reconcile.ts); remote changes are merged into the scene without being
// recorded in Excalidraw's history, so undo only undoes your own strokes. Pointers travel in
// awareness as `pointer` and `button`.
import { useCallback, useEffect, useRef } from "react";
import { CaptureUpdateAction, Excalidraw } from "@excalidraw/excalidraw";
import "@excalidraw/excalidraw/index.css";
import type {
  BinaryFileData,
  BinaryFiles,
  Collaborator,
  ExcalidrawImperativeAPI,
  SocketId,
} from "@excalidraw/excalidraw/types";
import * as Y from "yjs";
import type { Awareness } from "y-protocols/awareness";
import { BOARD_IMAGE_MAX_BYTES } from "../config";
import { roots } from "../sync/schema";
import { readUser } from "../sync/user";
import { dataUrlBytes, outgoing, reconcile, toPlain, type BoardElement } from "./reconcile";

declare global {
  interface Window {
    EXCALIDRAW_ASSET_PATH?: string | string[];
  }
}
window.EXCALIDRAW_ASSET_PATH = "/excalidraw-assets/";

const LOCAL = Symbol("pairboard-board-local");
const POINTER_INTERVAL_MS = 40;

export interface BoardProps {
  doc: Y.Doc;
  awareness: Awareness;
  readOnly: boolean;
  dark: boolean;
  onApi?: (api: ExcalidrawImperativeAPI | null) => void;
}

type Scene = ExcalidrawImperativeAPI;

export default function Board({ doc, awareness, readOnly, dark, onApi }: BoardProps) {
  const api = useRef<Scene | null>(null);
  const sent = useRef(new Map<string, number>());
  const loadedFiles = useRef(new Set<string>());
  const rejectedFiles = useRef(new Set<string>());
  const lastPointer = useRef(0);
  const yElements = roots.board.elements<BoardElement>(doc);
  const yFiles = roots.board.files<BinaryFileData>(doc);

  const pullElements = useCallback(() => {
    const scene = api.current;
    if (!scene) return;
    const local = scene.getSceneElementsIncludingDeleted() as unknown as BoardElement[];
    const merged = reconcile(local, yElements.values());
    for (const el of merged) sent.current.set(el.id, el.version);
    scene.updateScene({
      elements: merged as never,
      captureUpdate: CaptureUpdateAction.NEVER,
    });
  }, [yElements]);

  const pullFiles = useCallback(() => {
    const scene = api.current;
    if (!scene) return;
    const fresh: BinaryFileData[] = [];
    for (const [id, f] of yFiles.entries()) {
      if (!loadedFiles.current.has(id)) {
        loadedFiles.current.add(id);
        fresh.push(f);
      }
    }
    if (fresh.length) scene.addFiles(fresh);
  }, [yFiles]);

  const pullCollaborators = useCallback(() => {
    const scene = api.current;
    if (!scene) return;
    const collaborators = new Map<SocketId, Collaborator>();
    for (const [clientId, state] of awareness.getStates()) {
      if (clientId === awareness.clientID) continue;
      const user = readUser(state);
      const pointer = (state as { pointer?: { x: number; y: number } }).pointer;
      if (!user) continue;
      collaborators.set(String(clientId) as SocketId, {
        username: user.name,
        color: { background: user.colorLight, stroke: user.color },
        pointer: pointer ? { x: pointer.x, y: pointer.y, tool: "pointer" } : undefined,
        button: (state as { button?: "up" | "down" }).button ?? "up",
        // Excalidraw colours a pointer by hashing `id`: the person's name and role give them the
        // same colour on every screen (it ignores `color` for the label).
        id: `${user.role}:${user.name}`,
      });
    }
    scene.updateScene({ collaborators, captureUpdate: CaptureUpdateAction.NEVER });
  }, [awareness]);

  useEffect(() => {
    let frame = 0;
    const schedule = (_e: unknown, tx: Y.Transaction) => {
      if (tx.origin === LOCAL || frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        pullElements();
      });
    };
    const onFiles = (_e: unknown, tx: Y.Transaction) => {
      if (tx.origin !== LOCAL) pullFiles();
    };
    yElements.observe(schedule);
    yFiles.observe(onFiles);
    awareness.on("change", pullCollaborators);
    return () => {
      cancelAnimationFrame(frame);
      yElements.unobserve(schedule);
      yFiles.unobserve(onFiles);
      awareness.off("change", pullCollaborators);
    };
  }, [yElements, yFiles, awareness, pullElements, pullFiles, pullCollaborators]);

  const pushFiles = (files: BinaryFiles, scene: Scene) => {
    const accepted: Array<[string, BinaryFileData]> = [];
    const refused: string[] = [];
    for (const [id, f] of Object.entries(files)) {
      if (loadedFiles.current.has(id) || rejectedFiles.current.has(id)) continue;
      if (dataUrlBytes(f.dataURL) > BOARD_IMAGE_MAX_BYTES) {
        rejectedFiles.current.add(id);
        refused.push(id);
      } else {
        loadedFiles.current.add(id);
        accepted.push([id, { id: f.id, mimeType: f.mimeType, dataURL: f.dataURL, created: f.created }]);
      }
    }
    if (accepted.length) doc.transact(() => accepted.forEach(([id, f]) => yFiles.set(id, f)), LOCAL);
    if (refused.length) {
      const limit = (BOARD_IMAGE_MAX_BYTES / (1024 * 1024)).toFixed(1);
      scene.setToast({
        message: `Image not shared: images larger than ${limit} MiB are not synced to the board.`,
        closable: true,
        duration: 8000,
      });
      const els = scene.getSceneElementsIncludingDeleted() as unknown as BoardElement[];
      scene.updateScene({
        elements: els.map((e) =>
          e.fileId && refused.includes(e.fileId)
            ? { ...e, isDeleted: true, version: e.version + 1, versionNonce: Math.floor(Math.random() * 2 ** 31) }
            : e,
        ) as never,
        captureUpdate: CaptureUpdateAction.NEVER,
      });
    }
  };

  const onChange = (_els: unknown, _state: unknown, files: BinaryFiles) => {
    const scene = api.current;
    if (readOnly || !scene) return;
    const local = scene.getSceneElementsIncludingDeleted() as unknown as BoardElement[];
    const out = outgoing(local, (id) => yElements.get(id), sent.current);
    if (out.length) doc.transact(() => out.forEach((el) => yElements.set(el.id, toPlain(el))), LOCAL);
    pushFiles(files, scene);
  };

  const onPointerUpdate = (p: { pointer: { x: number; y: number }; button: "up" | "down" }) => {
    const now = performance.now();
    if (now - lastPointer.current < POINTER_INTERVAL_MS) return;
    lastPointer.current = now;
    awareness.setLocalStateField("pointer", { x: p.pointer.x, y: p.pointer.y });
    awareness.setLocalStateField("button", p.button);
  };

  return (
    <div className="board" data-testid="board">
      <Excalidraw
        excalidrawAPI={(a) => {
          api.current = a;
          onApi?.(a);
          pullElements();
          pullFiles();
          pullCollaborators();
        }}
        initialData={{
          elements: reconcile([], yElements.values()) as never,
          // Excalidraw darkens the canvas itself (an invert filter): the stored colour stays white.
          appState: { viewBackgroundColor: "#ffffff" },
        }}
        onChange={onChange as never}
        onPointerUpdate={onPointerUpdate as never}
        viewModeEnabled={readOnly}
        isCollaborating
        theme={dark ? "dark" : "light"}
        UIOptions={{ canvasActions: { loadScene: false, saveToActiveFile: false, export: false } }}
      />
    </div>
  );
}
