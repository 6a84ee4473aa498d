/**
 * Where a page may send the browser next (the sign-in page's `?next=`): only a path on this site. The value is
 * parsed the way the browser will follow it, so every trick a browser reads as another host (`//evil`, `/\evil`,
 * `/<tab>/evil`, `https://evil`, `javascript:`, their percent-encoded forms) is caught by comparing origins, not by
 * looking at the text. No DOM here, so the unit tests run it under Node.
 */

/**
 * `next` as a path, query and fragment on `origin` when the browser would stay on `origin` following it; otherwise
 * `fallback`. A path the URL parser normalises into `//host…` (e.g. `/.//evil`) is refused too: followed as a link,
 * it would leave the site.
 */
export function sameOriginPath(next: string | null | undefined, origin: string, fallback: string): string {
  if (!next) return fallback;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== new URL(origin).origin) return fallback;
  const path = url.pathname + url.search + url.hash;
  return path.startsWith('/') && !path.startsWith('//') ? path : fallback;
}
