/**
 * Keeps texts that an editor writes outside diagram-js's translate service Chinese on a Chinese page: text nodes and
 * the title, aria-label and placeholder attributes of everything under a container, as they appear and change.
 * `chinese` answers the Chinese of a (trimmed) English text, or undefined to leave it.
 */
import { lang } from './i18n';

const ATTRIBUTES = ['title', 'aria-label', 'placeholder'];

function translate(root: Element, chinese: (english: string) => string | undefined): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const zh = chinese((node.nodeValue ?? '').trim());
    if (zh !== undefined) node.nodeValue = zh;
  }
  for (const e of [root, ...Array.from(root.querySelectorAll('*'))])
    for (const name of ATTRIBUTES) {
      const value = e.getAttribute(name);
      const zh = value ? chinese(value.trim()) : undefined;
      if (zh !== undefined) e.setAttribute(name, zh);
    }
}

/** Watches `container` and answers how to stop; nothing happens for English readers. */
export function keepChinese(container: HTMLElement, chinese: (english: string) => string | undefined): () => void {
  if (lang() !== 'zh') return () => undefined;
  translate(container, chinese);
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      const target = record.target instanceof Element ? record.target : record.target.parentElement;
      if (target) translate(target, chinese);
      record.addedNodes.forEach((node) => node instanceof Element && translate(node, chinese));
    }
  });
  observer.observe(container, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ATTRIBUTES,
  });
  return () => observer.disconnect();
}
