/** Strings of the operators' command-line tool (src/cli/). Bahasa Indonesia first. */
export const idCli = {
  'cli.usage': 'Pemakaian: npm run satu-akun -- <perintah> [opsi]. Perintah: {commands}',
} as const;

export const enCli: Record<keyof typeof idCli, string> = {
  'cli.usage': 'Usage: npm run satu-akun -- <command> [options]. Commands: {commands}',
};
