import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'mocha';
import { waitForOutput } from '../../support/processes.ts';
import { serviceMissing } from '../../support/require-service.ts';

/** Debian's interpreter: the one python3-authlib and python3-flask are installed for (a `python3` on PATH may not be). */
const PYTHON = '/usr/bin/python3';
const APP = join(dirname(fileURLToPath(import.meta.url)), 'app.py');

/**
 * The Flask + Authlib relying party (test/interop/authlib/app.py) on 127.0.0.1:`port`, registered at Satu Akun with
 * the redirect URI `<url>/auth/callback` and the post-logout redirect URI `<url>/`.
 */
/** Skips (locally) or fails (CI) the calling test when Debian's Python lacks Authlib, Flask or requests. */
export const requireAuthlib = (ctx: Context): void => {
  if (!existsSync(PYTHON)) serviceMissing(ctx, 'python3', `${PYTHON} not found (Debian package python3)`);
  const check = spawnSync(PYTHON, ['-c', 'import authlib.integrations.flask_client, flask, requests'], { encoding: 'utf8' });
  if (check.status !== 0) {
    serviceMissing(ctx, 'python3-authlib', `${check.stderr.trim().split('\n').pop()} (Debian packages python3-authlib, python3-flask, python3-requests)`);
  }
};

export const startAuthlibRp = async (ctx: Context, issuer: string, port: number, clientId: string, clientSecret: string) => {
  requireAuthlib(ctx);
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    SATU_AKUN_ISSUER: issuer,
    SATU_AKUN_CLIENT_ID: clientId,
    SATU_AKUN_CLIENT_SECRET: clientSecret,
    APP_URL: url,
    FLASK_SECRET_KEY: randomBytes(32).toString('hex'),
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  const child = spawn(PYTHON, [APP], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => child.kill();
  process.once('exit', stop);
  // Flask's development server names its address once it listens; its log then keeps flowing into nowhere.
  await waitForOutput(child, /Running on http:\/\/127\.0\.0\.1/, 10_000).catch((error: unknown) => {
    stop();
    throw error;
  });
  child.stdout.resume();
  child.stderr.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    close: async () => {
      process.off('exit', stop);
      if (child.exitCode === null) {
        stop();
        await exited;
      }
    },
  };
};
export type AuthlibRp = Awaited<ReturnType<typeof startAuthlibRp>>;
