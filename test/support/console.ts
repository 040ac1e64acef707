/**
 * Runs a command in this process with what it prints (console.log and console.error) captured: its exit code and its
 * output as one text.
 */
export const captureOutput = async (run: () => Promise<number>): Promise<{ code: number; out: string }> => {
  const lines: string[] = [];
  const { log, error } = console;
  console.log = console.error = (...parts: unknown[]) => void lines.push(parts.join(' '));
  try {
    return { code: await run(), out: lines.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
};
