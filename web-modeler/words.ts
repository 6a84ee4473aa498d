/**
 * The web modeler's own words (comparing versions, the simulation), in Simplified Chinese and English, beside the
 * pages' words (web/src/lib/i18n.ts) that the rest of the modeler uses.
 */
import { lang } from '../web/src/lib/i18n';

const WORDS = {
  compare: { zh: '比较版本', en: 'Compare versions' },
  compareFrom: { zh: '原版本', en: 'From' },
  compareTo: { zh: '新版本', en: 'To' },
  compareRun: { zh: '比较', en: 'Compare' },
  compareClose: { zh: '关闭比较', en: 'Close' },
  compareEditing: { zh: '编辑中的图（未保存）', en: 'The diagram being edited (unsaved)' },
  compareOnlyBpmn: { zh: '只能比较流程图。', en: 'Only process diagrams can be compared.' },
  compareSame: { zh: '两个版本没有区别。', en: 'The two versions do not differ.' },
  compareLoading: { zh: '比较中…', en: 'Comparing…' },
  changes: { zh: '改动', en: 'Changes' },
  added: { zh: '新增', en: 'Added' },
  removed: { zh: '删除', en: 'Removed' },
  changed: { zh: '修改', en: 'Changed' },
  layoutChanged: { zh: '仅位置或连线改动', en: 'Moved or redrawn only' },
  legendAdded: { zh: '新增的元素（只在新版本中）', en: 'Added (only in the new version)' },
  legendRemoved: { zh: '删除的元素（只在原版本中）', en: 'Removed (only in the old version)' },
  legendChanged: { zh: '属性有修改', en: 'Properties changed' },
  legendLayout: { zh: '只改了位置或连线', en: 'Only moved or redrawn' },
  andSettings: { zh: '其他设置', en: 'other settings' },
  simulate: { zh: '模拟运行', en: 'Simulate' },
  simulateStop: { zh: '结束模拟', en: 'Stop simulating' },
  simulating: {
    zh: '模拟运行中：点开始事件上的 ▶ 放出令牌，在网关上选择走向；图不能修改，也不会部署。',
    en: 'Simulating: start a token with ▶ on a start event, choose the way at gateways; the diagram cannot be changed and nothing is deployed.',
  },
} as const;

export type ModelerWord = keyof typeof WORDS;

/** A modeler word in the page's language. */
export function w(word: ModelerWord): string {
  return WORDS[word][lang()];
}
