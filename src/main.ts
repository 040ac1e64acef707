import { buildApp } from './app/build.ts';
import { ConfigError, developmentWarnings, loadConfigOrExit } from './config/load.ts';
import { startDemoApps } from './demo/demo-app.ts';
import { SAMPLE_PASSWORD, SAMPLE_PEOPLE } from './directory/sample/index.ts';
import { signingKeyWarnings } from './oidc/keys.ts';

/** `npm start`: runs Satu Akun from configuration (embedded defaults when nothing is set). */
const main = async () => {
  const config = loadConfigOrExit();
  const warnings = [...developmentWarnings(config), ...signingKeyWarnings(config)];
  if (warnings.length) {
    const bar = '!'.repeat(78);
    console.warn(`${bar}\n!! DEVELOPMENT DEFAULTS — NOT FOR PRODUCTION\n${warnings.map((w) => `!!  - ${w}`).join('\n')}\n${bar}`);
  }

  let satu;
  try {
    satu = await buildApp(config);
  } catch (err) {
    // A clients file or signing keys that do not fit: every problem, as for the environment, and no stack trace.
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
  const { port } = await satu.listen();
  const demos = await startDemoApps(satu);

  const lines = [`Satu Akun is running: ${config.issuer} (port ${port})`, `  discovery: ${config.issuer}/.well-known/openid-configuration`];
  for (const [i, demo] of demos.entries()) lines.push(`  demo app:  ${demo.url}  (${satu.demo[i]!.client_name})`);
  lines.push(`  my account: ${config.issuer}/akun   developer portal: ${config.issuer}/developer   admin console: ${config.issuer}/admin`);
  lines.push(`  audit trail: ${config.issuer}/admin/audit   usage reports: ${config.issuer}/admin/laporan`);
  lines.push(`  try an app you registered: npm run try-app -- <client_id> <client_secret> --port 3003   (redirect URI http://localhost:3003/callback)`);
  if (config.directory.mode === 'embedded') {
    lines.push(`  sample staff, password for every one of them: ${SAMPLE_PASSWORD}`);
    for (const [uid, role] of Object.entries(SAMPLE_PEOPLE)) lines.push(`    ${uid.padEnd(16)} ${role}`);
  }
  console.log(lines.join('\n'));

  const stop = async () => {
    await Promise.all(demos.map((d) => d.close()));
    await satu.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

await main();
