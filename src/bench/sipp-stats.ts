/** What a benchmark reads of its SIPp load runs (harness/sipp.ts sippLoad): the statistics file, and the set-up times the caller logs. */
import { existsSync, readFileSync } from 'node:fs';

/** The last cumulative line of a SIPp -trace_stat file, by column name. */
export function sippStats(file: string): Record<string, number> {
  if (!existsSync(file)) return {};
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const head = (lines[0] ?? '').split(';');
  const last = (lines.at(-1) ?? '').split(';');
  return Object.fromEntries(head.map((h, i) => [h, Number(last[i])]));
}

/** INVITE->200 times in microseconds, from the `setup <s> <us> <s> <us>` lines the UAC logs. */
export function setupTimesUs(logFile: string): number[] {
  if (!existsSync(logFile)) return [];
  const times: number[] = [];
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    const m = /^setup (\d+)(?:\.\d+)? (\d+)(?:\.\d+)? (\d+)(?:\.\d+)? (\d+)(?:\.\d+)?$/.exec(line.trim());
    if (m === null) continue;
    times.push((Number(m[3]) - Number(m[1])) * 1e6 + (Number(m[4]) - Number(m[2])));
  }
  return times.sort((a, b) => a - b);
}
