// Starts the Portail Famille WASM app. An external module, not Trunk's inline loader,
// so that the Content-Security-Policy can stay `script-src 'self' 'wasm-unsafe-eval'`.
// Trunk writes the hashed file names into the data attributes of this script's tag
// (see `pattern_script` in Trunk.toml).
const tag = document.querySelector('script[data-js][data-wasm]');
const { default: init } = await import(tag.dataset.js);
await init({ module_or_path: tag.dataset.wasm });
