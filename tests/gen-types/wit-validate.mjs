// Validates a single-file WIT package with the wasm-tools build inside
// @bytecodealliance/jco-transpile: componentEmbed parses and resolves the WIT
// (into a dummy core module), componentNew encodes the component type, which
// runs the validator's checks (e.g. empty records, label conflicts).
//   node wit-validate.mjs FILE.wit   -> prints the world, or the error (exit 1)
// It must sit next to the node_modules holding jco-transpile.
import { readFileSync } from 'node:fs';
import { componentEmbed, componentNew, componentWit } from '@bytecodealliance/jco-transpile/wasm-tools';

try {
    const witSource = readFileSync(process.argv[2], 'utf8');
    const core = await componentEmbed({ witSource, dummy: true });
    const component = await componentNew(core);
    console.log(await componentWit(component));
} catch (e) {
    console.log(`invalid WIT: ${e.message || e}`);
    process.exitCode = 1;
}
