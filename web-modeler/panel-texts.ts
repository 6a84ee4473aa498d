/**
 * Titles the properties panel shows outside diagram-js's translate service — CodeMirror's fold markers in FEEL fields
 * ("Unfold line") and @bpmn-io/properties-panel's own controls ("Toggle section") — put into Chinese on a Chinese
 * page as they appear in the panel.
 */
import { keepChinese } from '../web/src/lib/dom-texts';

export const PANEL_TEXTS: Record<string, string> = {
  'Fold line': '折叠',
  'Unfold line': '展开',
  'Folded lines': '已折叠的行',
  // @bpmn-io/properties-panel's own controls, written without the translate service
  'Section contains edits': '本节有修改',
  'Section contains data': '本节有内容',
  'Toggle section': '展开或收起',
  'Open pop-up editor': '在弹出窗口中编辑',
  'Click to set a dynamic value with FEEL expression': '点击以 FEEL 表达式设置动态值',
  'Create new list item': '新建列表项',
  'Delete item': '删除',
  'Toggle list item': '展开或收起',
  'Section contains an error': '本节有错误',
  'Open documentation': '查看文档',
  Create: '新建',
  '<empty>': '<空>',
  'Opened in editor': '已在弹出窗口中打开',
  'FEEL expression is mandatory': '此处必须填写 FEEL 表达式',
  'JSON contains errors': 'JSON 有错误',
  'Unparsable FEEL expression.': 'FEEL 表达式无法解析。',
};

/** Keeps these texts and titles of the panel Chinese while the page is; answers how to stop. */
export function panelTextsInChinese(panel: HTMLElement): () => void {
  return keepChinese(panel, (english) => PANEL_TEXTS[english]);
}
