/**
 * A preload for the benchmark's node processes (`node --import dist/bench/loop-delay.js ...`,
 * call-rate's --loop-delay): the event-loop delay of the process, sampled every millisecond with
 * perf_hooks' histogram. SIGUSR2 writes what was seen since the last SIGUSR2 to $LOOP_DELAY_FILE
 * (p50, p99, max in ms, JSON) and starts over, so the benchmark reads one run at a time. Both the
 * baseline and sipcase get it, so its own cost (a 1 ms timer) falls on both alike; it is off by
 * default, and a run that measures CPU a call should leave it off.
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env['LOOP_DELAY_FILE'];
if (file !== undefined) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const ms = (ns: number) => ns / 1e6;
  process.on('SIGUSR2', () => {
    writeFileSync(file, JSON.stringify({ p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), samples: h.count }));
    h.reset();
  });
}
