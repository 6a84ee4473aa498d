/** The ISO 8601 durations the case's processes and settings give (a rating link's validity: P3D, PT24H). */

/** An ISO 8601 duration of days or hours (P3D, PT24H) in milliseconds. */
export function durationMs(iso: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
  if (!m || iso === 'P' || iso === 'PT')
    throw new Error(`"${iso}" is not a duration in days or hours such as P3D or PT24H`);
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000;
}
