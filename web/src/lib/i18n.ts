/** The pages' words in Simplified Chinese (the default) and English; the choice is kept in the browser. */
const WORDS = {
  appName: { zh: '社区信访工作平台', en: 'Community petition work' },
  signIn: { zh: '登录', en: 'Sign in' },
  signOut: { zh: '退出', en: 'Sign out' },
  username: { zh: '用户名', en: 'Username' },
  password: { zh: '密码', en: 'Password' },
  myTasks: { zh: '我的任务', en: 'My tasks' },
  queue: { zh: '待认领', en: 'To claim' },
  noticeBoard: { zh: '公示栏', en: 'Notice board' },
  noTasks: { zh: '暂无任务', en: 'No tasks' },
  due: { zh: '期限', en: 'Due' },
  overdue: { zh: '已超期', en: 'Overdue' },
  claim: { zh: '认领', en: 'Claim' },
  unclaim: { zh: '退回', en: 'Give back' },
  open: { zh: '办理', en: 'Open' },
  submit: { zh: '提交', en: 'Submit' },
  submitted: { zh: '已提交', en: 'Submitted' },
  caseNo: { zh: '案件编号', en: 'Case' },
  category: { zh: '类别', en: 'Category' },
  status: { zh: '状态', en: 'Status' },
  owner: { zh: '首问责任人', en: 'First responder' },
  internalClock: { zh: '内部时限', en: 'Internal deadline' },
  legalClock: { zh: '法定时限', en: 'Legal deadline' },
  timeline: { zh: '办理过程', en: 'Timeline' },
  whereItStands: { zh: '流程进度', en: 'Where it stands' },
  rateTitle: { zh: '满意度评价', en: 'Rate the handling' },
  outcome: { zh: '办理结果', en: 'Outcome' },
  satisfied: { zh: '满意', en: 'Satisfied' },
  basicallySatisfied: { zh: '基本满意', en: 'Basically satisfied' },
  dissatisfied: { zh: '不满意', en: 'Dissatisfied' },
  comment: { zh: '意见（可选）', en: 'Comment (optional)' },
  thanks: { zh: '感谢您的评价！', en: 'Thank you for your rating!' },
  published: { zh: '公示时间', en: 'Published' },
  compound: { zh: '小区', en: 'Compound' },
  noNotices: { zh: '暂无公示', en: 'Nothing published yet' },
  language: { zh: 'English', en: '中文' },
  loading: { zh: '加载中…', en: 'Loading…' },
  case: { zh: '信访件', en: 'Case' },
  intake: { zh: '信访登记', en: 'File a petition' },
  channel: { zh: '来源渠道', en: 'Channel' },
  description: { zh: '诉求内容', en: 'Request and facts' },
  petitionerName: { zh: '信访人姓名', en: "Petitioner's name" },
  phone: { zh: '手机号', en: 'Phone' },
  idNumber: { zh: '身份证号（可选）', en: 'ID number (optional)' },
  consent: { zh: '同意公示时显示姓氏', en: 'May show the family name on the notice board' },
  possibleDuplicates: { zh: '此人尚有未办结的信访件：', en: 'This person has open petitions:' },
  linkToThis: { zh: '无新情况，关联到此件', en: 'No new facts: link to this case' },
  file: { zh: '登记', en: 'File' },
  filed: { zh: '已登记', en: 'Filed' },
  dashboard: { zh: '数据看板', en: 'Dashboard' },
  received: { zh: '受理', en: 'Received' },
  closed: { zh: '办结', en: 'Closed' },
  avgDays: { zh: '平均办理工作日', en: 'Average working days' },
  satisfaction: { zh: '满意率', en: 'Satisfaction' },
  target: { zh: '目标', en: 'Target' },
  onTime: { zh: '按期率', en: 'On time' },
  exportCsv: { zh: '导出 CSV', en: 'Export CSV' },
} as const;

export type Word = keyof typeof WORDS;
export type Lang = 'zh' | 'en';

export function lang(): Lang {
  return localStorage.getItem('lang') === 'en' ? 'en' : 'zh';
}

export function t(word: Word): string {
  return WORDS[word][lang()];
}

export function toggleLang(): void {
  localStorage.setItem('lang', lang() === 'zh' ? 'en' : 'zh');
  location.reload();
}

/** A date and time in Beijing time, in the page's language. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang() === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}
