// Run a WASI command module under Node's node:wasi (uvwasi), the
// independent implementation the wasi suite compares wasm-bpf against.
//   node node-wasi.mjs [--dir HOST::GUEST]... [--env KEY=VALUE]... MODULE [args...]
// Exits with the guest's exit code; a trap exits 134 like wasm-bpf.
import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
while (argv.length && argv[0].startsWith('--')) {
    const opt = argv.shift();
    const val = argv.shift();
    if (opt === '--dir') {
        const [host, guest] = val.includes('::') ? val.split('::') : [val, val];
        preopens[guest] = host;
    } else if (opt === '--env') {
        const i = val.indexOf('=');
        env[val.slice(0, i)] = val.slice(i + 1);
    } else {
        console.error(`node-wasi: unknown option ${opt}`);
        process.exit(2);
    }
}
const wasi = new WASI({ version: 'preview1', args: argv, env, preopens, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(argv[0]));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
try {
    process.exitCode = wasi.start(instance);
} catch (e) {
    console.error(`node-wasi: trap: ${e.message}`);
    process.exitCode = 134;
}
