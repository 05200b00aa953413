// Vite build for Pairboard's browser client. Assets get content hashes (served with long cache
// headers by server/web.py); index.html is served no-cache so a deploy is picked up at once.
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
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
 * Writes `name.gz` beside every JS, CSS and SVG asset over 1 KiB (gzip -9), so server/web.py can
 * send the compressed file to browsers that accept gzip without compressing per request.
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
        writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }));
      }
    },
  };
}

/**
 * The room is the page a candidate opens first, and its route is a lazy chunk (src/main.tsx):
 * index.html preloads it and everything it imports statically, so the browser fetches the
 * editor in parallel with the entry instead of after the entry has run.
 */
function preloadRoom(): Plugin {
  return {
    name: "pairboard-preload-room",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(_html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return [];
        const chunks = Object.values(bundle).filter((c) => c.type === "chunk");
        const room = chunks.find((c) => c.facadeModuleId?.endsWith("/src/room/Room.tsx"));
        if (!room) return [];
        const files = new Set<string>();
        const visit = (name: string) => {
          if (files.has(name)) return;
          files.add(name);
          const c = bundle[name];
          if (c && c.type === "chunk") c.imports.forEach(visit);
        };
        visit(room.fileName);
        const entry = chunks.find((c) => c.isEntry);
        const already = new Set(entry ? [entry.fileName, ...entry.imports] : []);
        return [...files]
          .filter((f) => !already.has(f))
          .map((f) => ({ tag: "link", attrs: { rel: "modulepreload", crossorigin: true, href: `/${f}` }, injectTo: "head" as const }));
      },
    },
  };
}

export default defineConfig({
  plugins: [react(), excalidrawFonts(), precompress(), preloadRoom()],
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 4096,
  },
  define: {
    "process.env.IS_PREACT": JSON.stringify("false"),
  },
});
