/**
 * Stand-in for `node:http` in the handler bundle. An ESM `import … from 'node:http'` makes Node build the
 * module's ESM facade, which reads every export, and the `WebSocket`, `CloseEvent` and `MessageEvent`
 * getters then load Node's bundled undici (measured 43 ms of a 105 ms bundle import on Node 24.21).
 * `process.getBuiltinModule` returns the CommonJS module object without a facade, and esbuild's interop
 * reads its exports lazily, so undici loads only if something reads those getters.
 */
export = process.getBuiltinModule('node:http');
