// Runs a wasm32-wasi module under Node's node:wasi:  node run-wasi.mjs MODULE [ARGS...]
// (the gen-types suite's reference runtime until `wasm-bpf run` can run it too)
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const wasi = new WASI({ version: 'preview1', args: process.argv.slice(2), env: {}, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(process.argv[2]));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
