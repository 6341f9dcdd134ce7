/**
 * The CPU time this process spent since `start` (a `process.cpuUsage()`), user and system, of
 * every thread, in milliseconds: what a test's "answers at once" bound should measure. Wall time
 * also counts the other processes of a loaded machine: the decimal-quotient refusal, 60 ms of
 * work, took 1.2 s of wall time on a core shared six ways, and failed its 1 s bound; its CPU time
 * stays what the work costs, and a regression that does the work (1.4 s of JavaScript) still
 * exceeds the bound on any machine.
 */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}
