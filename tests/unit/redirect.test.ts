/**
 * The sign-in page's `?next=`: only paths on the page's own site are followed after sign-in (issue 23, item 8). The
 * attack strings are those a browser follows to another host although they start with one slash.
 */
import { sameOriginPath } from '../../web/src/lib/redirect';

const ORIGIN = 'http://127.0.0.1:3000';
const DEFAULT = '/tasks.html';

describe('the page to go on to after sign-in', () => {
  it.each([
    ['/\\evil.example/'],
    ['/\\/evil.example/'],
    ['/\t/evil.example/'],
    ['/\n/evil.example/'],
    ['\\\\evil.example'],
    ['//evil.example'],
    ['///evil.example'],
    ['https://evil.example/tasks.html'],
    ['http://127.0.0.1:3001/tasks.html'],
    ['https://127.0.0.1:3000/tasks.html'],
    ['HTTP://evil.example'],
    ['  //evil.example'],
    ['/.//evil.example'],
    ['/%2e//evil.example'],
    ['javascript:alert(1)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['http://127.0.0.1:3000@evil.example/'],
    ['http:\\\\evil.example'],
  ])('when next is %j, then the browser goes to the default page', (next) => {
    // given a next that some parser reads as another host
    // when
    const target = sameOriginPath(next, ORIGIN, DEFAULT);
    // then
    expect(target).toBe(DEFAULT);
    // and whatever was chosen, the browser would stay on the site following it
    expect(new URL(target, ORIGIN).origin).toBe(ORIGIN);
  });

  it('when next is percent-encoded the way the pages write it, then the decoded attack is refused as well', () => {
    // given next=%2F%5Cevil.example%2F, as URLSearchParams decodes it for the page
    const next = new URLSearchParams('next=%2F%5Cevil.example%2F').get('next');
    // when
    const target = sameOriginPath(next, ORIGIN, DEFAULT);
    // then
    expect(next).toBe('/\\evil.example/');
    expect(target).toBe(DEFAULT);
  });

  it.each([
    ['/case.html?id=5b0c3f1e-2d4a-4f7e-9a51-0c2e1f7d9b33', '/case.html?id=5b0c3f1e-2d4a-4f7e-9a51-0c2e1f7d9b33'],
    ['/tasks.html?view=queue#top', '/tasks.html?view=queue#top'],
    ['/settings.html', '/settings.html'],
    [`${ORIGIN}/dashboard.html?from=2026-01-01`, '/dashboard.html?from=2026-01-01'],
    ['notices.html', '/notices.html'],
    ['/%2Fevil.example', '/%2Fevil.example'],
  ])('when next is the same-site %j, then the browser goes there (%j)', (next, expected) => {
    // when
    const target = sameOriginPath(next, ORIGIN, DEFAULT);
    // then
    expect(target).toBe(expected);
  });

  it.each([[null], [undefined], ['']])('when there is no next (%j), then the default page', (next) => {
    expect(sameOriginPath(next, ORIGIN, DEFAULT)).toBe(DEFAULT);
  });
});
