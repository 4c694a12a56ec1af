// Starts the Portail Famille WASM app. An external module, not Trunk's inline loader,
// so that the Content-Security-Policy can stay `script-src 'self' 'wasm-unsafe-eval'`.
// Trunk writes the hashed file names into the data attributes of this script's tag
// (see `pattern_script` in Trunk.toml).
const tag = document.querySelector('script[data-js][data-wasm]');
// The first screen (the town's header, the menu, ACCUEIL's welcome text) is painted before
// the app is fetched: the next frame, then a task after it. On a slow phone network the
// page is readable while the app downloads, and nothing competes with it for the first
// bytes (the head has no preload of the app either; see Trunk.toml). A tab opened in the
// background paints no frame until it is shown: there, the app loads after 100 ms anyway.
await new Promise((resolve) => {
  requestAnimationFrame(() => setTimeout(resolve, 0));
  setTimeout(resolve, 100);
});
const { default: init } = await import(tag.dataset.js);
await init({ module_or_path: tag.dataset.wasm });
