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

export default defineConfig({
  plugins: [react(), excalidrawFonts(), precompress()],
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
