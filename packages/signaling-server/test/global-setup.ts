import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Compiles src/ into dist/ so tests that spawn `node dist/cli.js` run the code under test. The
 * Redis and fuzz tests start redis-server through @workbench/testing, which depends on this package
 * (so it cannot be a declared dependency here): when its dist is missing, it is compiled too.
 */
export default function setup(): void {
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: packageDir, stdio: 'inherit' });
  const testingDir = fileURLToPath(new URL('../../testing/', import.meta.url));
  if (!existsSync(`${testingDir}dist/index.js`)) {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: testingDir, stdio: 'inherit' });
  }
}
