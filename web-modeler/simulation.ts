/**
 * The token simulation (bpmn-js-token-simulation) in the BPMN editor: an admin tries a change before deploying it —
 * starts tokens on the start events, picks the way at gateways, triggers events — while the diagram and its
 * properties cannot be edited. The library writes its buttons, notices and log in English without diagram-js's
 * translate service; its texts are put into Chinese as they appear.
 */
import { lang } from '../web/src/lib/i18n';

/** The simulation's English texts (labels, titles, notices, log lines) and their Chinese. */
const TEXTS: Array<[RegExp, string]> = [
  [/^Token Simulation$/, '模拟运行'],
  [/^Simulation Log$/, '模拟日志'],
  [/^Toggle Simulation Log$/, '显示或隐藏模拟日志'],
  [/^Reset Simulation$/, '重置模拟'],
  [/^Play\/Pause Simulation$/, '继续或暂停模拟'],
  [/^Pause Simulation$/, '模拟已暂停'],
  [/^Play Simulation$/, '模拟继续'],
  [/^Finished$/, '模拟结束'],
  [/^Found unsupported elements$/, '图中有不支持模拟的元素'],
  [/^Not supported$/, '不支持模拟'],
  [/^Set Sequence Flow$/, '选择走向'],
  [/^Trigger Event$/, '触发事件'],
  [/^Start Process$/, '启动流程'],
  [/^Add pause point$/, '在此暂停'],
  [/^Remove pause point$/, '取消暂停点'],
  [/^No Entries$/, '暂无记录'],
  [/^Close$/, '关闭'],
  [/^Set animation speed = Slow$/, '动画速度：慢'],
  [/^Set animation speed = Normal$/, '动画速度：正常'],
  [/^Set animation speed = Fast$/, '动画速度：快'],
  [/^Set animation speed = (.+)$/, '动画速度：$1'],
  [/^Slow$/, '慢'],
  [/^Normal$/, '正常'],
  [/^Fast$/, '快'],
  [/^Animation Speed$/, '动画速度'],
  [/^Process started$/, '流程已启动'],
  [/^Process finished$/, '流程已结束'],
  [/^Process canceled$/, '流程已取消'],
  [/^(.+) started$/, '$1 已启动'],
  [/^(.+) finished$/, '$1 已结束'],
  [/^(.+) canceled$/, '$1 已取消'],
  [/^Focus process instance (.+)$/, '只看流程实例 $1'],
];

function inChinese(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed || !/[A-Za-z]/.test(trimmed)) return undefined;
  for (const [pattern, zh] of TEXTS)
    if (pattern.test(trimmed)) return text.replace(trimmed, trimmed.replace(pattern, zh));
  return undefined;
}

/** Puts the simulation's texts inside `node` into Chinese: text, `title` and `aria-label`. */
function translateTree(node: Node): void {
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  for (let current: Node | null = node; current; current = walker.nextNode()) {
    if (current.nodeType === Node.TEXT_NODE) {
      const zh = inChinese(current.nodeValue ?? '');
      if (zh !== undefined) current.nodeValue = zh;
    } else if (current instanceof Element) {
      for (const attribute of ['title', 'aria-label']) {
        const zh = inChinese(current.getAttribute(attribute) ?? '');
        if (zh !== undefined) current.setAttribute(attribute, zh);
      }
    }
  }
}

/**
 * Keeps the simulation's parts of `container` (its palette, log, notices, context pads — all `bts-` elements) in
 * Chinese while the page is; nothing happens for English readers. Answers how to stop.
 */
export function simulationInChinese(container: HTMLElement): () => void {
  if (lang() !== 'zh') return () => undefined;
  const PART = '[class*="bts-"]';
  const inSimulation = (node: Node) => {
    const element = node instanceof Element ? node : node.parentElement;
    return !!element && (element.closest(PART) !== null || element.querySelector(PART) !== null);
  };
  // Its parts arrive as overlays and children of diagram-js's containers: each added node is looked into.
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'childList') record.addedNodes.forEach((node) => inSimulation(node) && translateTree(node));
      else if (inSimulation(record.target)) translateTree(record.target);
    }
  });
  container.querySelectorAll('[class*="bts-"]').forEach(translateTree);
  observer.observe(container, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ['title'],
  });
  return () => observer.disconnect();
}
