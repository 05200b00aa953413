// Vite build for Pairboard's browser client. Assets get content hashes (served with long cache
// headers by server/web.py); index.html is served no-cache so a deploy is picked up at once.
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Excalidraw loads its hand-drawn fonts from EXCALIDRAW_ASSET_PATH, falling back to a public CDN.
 * Self-hosted interviews must not depend on a CDN, so the fonts are copied next to the build.
 * The 13 MB CJK font (Xiaolai) is left out: it is only fetched for CJK text.
 */
function excalidrawFonts(): Plugin {
  return {
    name: "pairboard-excalidraw-fonts",
    apply: "build",
    writeBundle(options) {
      const src = join(here, "node_modules/@excalidraw/excalidraw/dist/prod/fonts");
      const out = join(options.dir ?? join(here, "dist"), "excalidraw-assets/fonts");
      if (!existsSync(src)) return;
      for (const family of readdirSync(src)) {
        if (family === "Xiaolai") continue;
        cpSync(join(src, family), join(out, family), { recursive: true });
      }
    },
  };
}

/**
 * Writes `name.br` (brotli, quality 11) and `name.gz` (gzip -9) beside every JS, CSS and SVG
 * asset over 1 KiB, so server/web.py sends the smallest copy the browser accepts without
 * compressing per request (brotli is about a sixth smaller than gzip on these chunks).
 */
function precompress(): Plugin {
  return {
    name: "pairboard-precompress",
    apply: "build",
    writeBundle(options) {
      const dir = join(options.dir ?? join(here, "dist"), "assets");
      for (const file of readdirSync(dir)) {
        if (!/\.(js|css|svg)$/.test(file)) continue;
        const path = join(dir, file);
        if (statSync(path).size < 1024) continue;
        const body = readFileSync(path);
        writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
        writeFileSync(
          `${path}.br`,
          brotliCompressSync(body, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: 11,
              [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
              [zlib.BROTLI_PARAM_SIZE_HINT]: body.length,
            },
          }),
        );
      }
    },
  };
}

/**
 * The room is the page a candidate opens first, and its route is a lazy chunk (src/main.tsx):
 * index.html preloads it and everything it imports statically, so the browser fetches the
 * editor in parallel with the entry instead of after the entry has run. The links sit between
 * two markers: server/web.py sends them to room links only (`/s/{id}`), so the lobby, the replay
 * and the sign-in page do not download the room.
 */
function preloadRoom(): Plugin {
  return {
    name: "pairboard-preload-room",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return html;
        const chunks = Object.values(bundle).filter((c) => c.type === "chunk");
        const room = chunks.find((c) => c.facadeModuleId?.endsWith("/src/room/Room.tsx"));
        if (!room) return html;
        const files = new Set<string>();
        const css = new Set<string>();
        const visit = (name: string) => {
          if (files.has(name)) return;
          files.add(name);
          const c = bundle[name];
          if (c && c.type !== "chunk") return;
          c?.viteMetadata?.importedCss.forEach((f) => css.add(f));
          c?.imports.forEach(visit);
        };
        visit(room.fileName);
        const entry = chunks.find((c) => c.isEntry);
        const already = new Set(entry ? [entry.fileName, ...entry.imports, ...(entry.viteMetadata?.importedCss ?? [])] : []);
        // The room's own CSS too: else the import of the room waits for it after the entry ran
        // (Vite's preload helper skips a stylesheet that is already linked).
        const links = [...files]
          .filter((f) => !already.has(f))
          .map((f) => `    <link rel="modulepreload" crossorigin href="/${f}">\n`)
          .concat([...css].filter((f) => !already.has(f)).map((f) => `    <link rel="stylesheet" crossorigin href="/${f}">\n`))
          .join("");
        const block = `    <!--pairboard:room-preload-->\n${links}    <!--/pairboard:room-preload-->\n`;
        return html.replace("</head>", `${block}  </head>`);
      },
    },
  };
}

/**
 * Two chunks instead of about ten for the room's critical path. Left to itself the bundler cut
 * the room's code into many small shared chunks (api, prefs, user, Pages, journey, ...); each is
 * one more request, and Chromium sends at most six at a time to one host over HTTP/1.1, so the
 * small ones queued behind the big ones and so did the link check. `common` holds the small
 * modules the lobby, the not-found page and the room share; `room` the editor and sync code
 * only the room (and the replay) load. The groups take scripts only: the small stylesheets most
 * pages use are imported by main.tsx into the entry's one stylesheet, and a stylesheet matched
 * by a group would make the entry import that group's chunk. The whiteboard, notebook, console
 * renderers, Markdown and Vim keep their own lazy chunks (src/room/Room.tsx).
 */
const CHUNK_GROUPS = [
  {
    name: "common",
    test: /[\\/]src[\\/](api|prefs|config)\.ts$|[\\/]src[\\/]sync[\\/]user\.ts$|[\\/]src[\\/]room[\\/](Pages|EndControls)\.tsx$|[\\/]src[\\/]room[\\/]sessionApi\.ts$|[\\/]src[\\/]lobby[\\/]CopyLink\.tsx$/,
    priority: 2,
    includeDependenciesRecursively: false,
  },
  {
    name: "room",
    test: /[\\/]node_modules[\\/](yjs|lib0|y-protocols|y-websocket|y-codemirror\.next|codemirror|@codemirror|@lezer|style-mod|w3c-keyname|crelt|@marijn|react-resizable-panels)[\\/]|[\\/]src[\\/](room|sync|editor)[\\/][\w.-]+\.tsx?$|[\\/]src[\\/]panel[\\/](useNow|rubric|clock)\.ts$|[\\/]src[\\/]notebook[\\/]model\.ts$/,
    priority: 1,
    includeDependenciesRecursively: false,
  },
];

export default defineConfig({
  plugins: [react(), excalidrawFonts(), precompress(), preloadRoom()],
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 4096,
    rolldownOptions: { output: { codeSplitting: { groups: CHUNK_GROUPS } } },
  },
  define: {
    "process.env.IS_PREACT": JSON.stringify("false"),
  },
});
