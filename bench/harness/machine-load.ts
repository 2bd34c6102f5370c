/**
 * Measures how busy the machine was with work other than the benchmark. The 1-minute load average cannot
 * tell, because the benchmark itself keeps two or three processes running. This module reads the CPU time
 * of the whole machine from /proc/stat and subtracts the CPU time of the benchmark process and its reaped
 * children from /proc/self/stat, so it works on Linux only.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU time counters at one moment, in seconds. */
export interface CpuSnapshot {
  /**
   * Busy time of all CPUs: user, nice, system and steal. Interrupt time is left out, because the kernel
   * handles much of the benchmark's own loopback traffic there without charging it to its processes.
   */
  readonly machineBusy: number;
  /** CPU time of this process and of its children that have exited and been waited for. */
  readonly own: number;
  /** Wall clock, from `process.hrtime`. */
  readonly wall: number;
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    // USER_HZ is 100 on x86-64 and arm64 Linux.
    return 100;
  }
}

/** Reads the counters, or returns undefined where /proc is not available. */
export function readCpuSnapshot(): CpuSnapshot | undefined {
  let machine: string;
  let self: string;
  try {
    machine = readFileSync('/proc/stat', 'utf8');
    self = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return undefined;
  }
  const ticks = clockTicksPerSecond();

  // First line: "cpu user nice system idle iowait irq softirq steal guest guest_nice".
  const cpu = (machine.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , , , steal = 0] = cpu;

  // Fields after the command name, which is in parentheses and may contain spaces. utime, stime, cutime
  // and cstime are fields 14 to 17 of the whole line, so 12 to 15 after the closing parenthesis.
  const fields = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
  const own = (fields[11] ?? 0) + (fields[12] ?? 0) + (fields[13] ?? 0) + (fields[14] ?? 0);

  return {
    machineBusy: (user + nice + system + steal) / ticks,
    own: own / ticks,
    wall: Number(process.hrtime.bigint()) / 1e9,
  };
}

/**
 * Returns the mean number of CPUs busy with other work between two snapshots, rounded to two decimals,
 * or undefined when either snapshot is missing.
 */
export function otherCpuLoad(start: CpuSnapshot | undefined, end: CpuSnapshot | undefined): number | undefined {
  if (start === undefined || end === undefined || end.wall <= start.wall) {
    return undefined;
  }
  const other = end.machineBusy - start.machineBusy - (end.own - start.own);
  return Math.round((Math.max(0, other) / (end.wall - start.wall)) * 100) / 100;
}
