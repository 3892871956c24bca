// Bundles the pages into one folder of static files (index.html, app.js, app.css) with esbuild:
//   node build.mjs OUTDIR        (the Makefile's `make web` writes build/web)
// Everything the pages use comes from node_modules (pinned by package-lock.json) and is bundled,
// the world map included, so the pages ask no host but the server that serves them.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, "..", "build", "web"));
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(here, "src", "main.js") },
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome100", "firefox100", "safari15"],
  loader: { ".json": "json" },
  outdir: out,
  logLevel: "warning",
  legalComments: "linked",
});
copyFileSync(join(here, "src", "index.html"), join(out, "index.html"));
console.log(`web: bundled into ${out}`);
