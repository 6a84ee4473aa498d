/**
 * bpmnlint's recommended rules' findings as sentences (the part of domain/lint-messages.ts's table for bpmnlint's own
 * rules; Camunda's compatibility rules are there).
 */
import { cap, typeWord, type Sentence } from './lint-words';

/** A sentence that is the same for every match: the element named, then what is wrong and what to do. */
const say =
  (zh: string, en: string): Sentence =>
  (_m, who) => ({ zh: `${who.zh}${zh}`, en: `${cap(who.en)}${en}` });

export const BPMNLINT: Array<[RegExp, Sentence]> = [
  [
    /^Sequence flow is missing condition$/,
    say(
      '没有条件：从分支网关出发的每条顺序流都要写条件，或设为默认流。',
      ' has no condition: every flow leaving a splitting gateway needs one, or must be the default flow.',
    ),
  ],
  [/^Element is missing label\/name$/, say('没有名称，请填写名称。', ' has no name; give it one.')],
  [/^Element is missing name$/, say('没有名称，请填写名称。', ' has no name; give it one.')],
  [/^Element name is not unique$/, say('的名称与其他元素重复。', "'s name is used by another element too.")],
  [/^Element is unused$/, say('没有被任何元素使用，可以删除。', ' is not used anywhere; it can be deleted.')],
  [/^(?:Process|Sub process|.+) is missing start event$/, say('缺少开始事件。', ' has no start event.')],
  [/^(?:Process|Sub process|.+) is missing end event$/, say('缺少结束事件。', ' has no end event.')],
  [
    /^(?:Process|Sub process|.+) has multiple blank start events$/,
    say('有多个不带类型的开始事件，只能保留一个。', ' has more than one blank start event; keep one.'),
  ],
  [
    /^Element is not connected$/,
    say('没有用顺序流连接到流程中。', ' is not connected to the process by sequence flows.'),
  ],
  [
    /^Element is an implicit start$/,
    say(
      '没有流入的顺序流，却不是开始事件。请连上顺序流，或改用开始事件。',
      ' has no incoming flow but is not a start event; connect it or use a start event.',
    ),
  ],
  [
    /^Element is an implicit end$/,
    say(
      '没有流出的顺序流，却不是结束事件。请连上顺序流，或在其后加结束事件。',
      ' has no outgoing flow but is not an end event; connect it or add an end event after it.',
    ),
  ],
  [
    /^Flow splits implicitly$/,
    say(
      '有多条流出的顺序流（或带条件的顺序流），会隐式分叉，请改用网关。',
      ' splits the flow implicitly (several or conditional outgoing flows); use a gateway.',
    ),
  ],
  [
    /^Gateway forks and joins$/,
    say('既汇合又分叉，请拆成一个汇合网关和一个分叉网关。', ' both joins and forks; split it into two gateways.'),
  ],
  [
    /^Incoming flows do not join$/,
    say(
      '有多条流入的顺序流但不会等待汇合，请在它之前加一个网关。',
      ' has several incoming flows that do not join; add a gateway before it.',
    ),
  ],
  [
    /^Gateway is superfluous/,
    say('只有一条流入和一条流出，是多余的，可以删除。', ' has one incoming and one outgoing flow; it can be removed.'),
  ],
  [/^Termination is superfluous/, say('的“终止”是多余的，可改为普通结束事件。', ': the termination is superfluous.')],
  [
    /^Sequence flow has superfluous label$/,
    say('不从网关出发，不需要名称。', ' does not leave a gateway and needs no label.'),
  ],
  [
    /^Element type <([^>]+)> is discouraged$/,
    (m, who) => ({
      zh: `${who.zh}：不建议使用${typeWord(m[1]).zh}。`,
      en: `${cap(who.en)}: a ${typeWord(m[1]).en} is discouraged.`,
    }),
  ],
  [/^Event has multiple event definitions$/, say('有多个事件类型，只能保留一个。', ' has more than one event type.')],
  [
    /^Start event must be blank$/,
    say('在子流程中，开始事件不能带类型。', ': a start event inside a sub-process must be blank.'),
  ],
  [
    /^Start event is missing event definition$/,
    say(
      '缺少类型：事件子流程的开始事件必须带类型（如消息、定时器）。',
      ": an event sub-process's start event needs a type (message, timer, …).",
    ),
  ],
  [/^SequenceFlow is a duplicate$/, say('与另一条顺序流重复。', ' duplicates another sequence flow.')],
  [/^Duplicate outgoing sequence flows$/, say('有重复的流出顺序流。', ' has duplicate outgoing flows.')],
  [/^Duplicate incoming sequence flows$/, say('有重复的流入顺序流。', ' has duplicate incoming flows.')],
  [/^Element is missing bpmndi$/, say('没有画在图上（缺少图形信息）。', ' is not drawn on the diagram.')],
  [/^Element overlaps with other element$/, say('与其他元素重叠。', ' overlaps another element.')],
  [/^Element is outside of parent boundary$/, say('超出了所在子流程的边界。', ' lies outside its container.')],
  [
    /^An <Event-based Gateway> must have at least 2 outgoing <Sequence Flows>$/,
    say('至少要有两条流出的顺序流。', ' needs at least two outgoing flows.'),
  ],
  [
    /^A <Sequence Flow> outgoing from an <Event-based Gateway> must not be conditional$/,
    say('从事件网关出发，不能带条件。', ' leaves an event-based gateway and cannot have a condition.'),
  ],
  [
    /^Conditional event is missing a condition$/,
    say('是条件事件，但没有写条件。', ' is a conditional event without a condition.'),
  ],
  [/^Link event is missing link name$/, say('没有填写链接名称。', ' has no link name.')],
  [
    /^Link (?:catch|throw) event with link name <(.*)> missing in scope$/,
    (m, who) => ({
      zh: `${who.zh}的链接「${m[1]}」在同一层级中找不到对应的另一端。`,
      en: `${cap(who.en)}: the link "${m[1]}" has no other end in the same scope.`,
    }),
  ],
  [
    /^Duplicate link catch event with link name <(.*)> in scope$/,
    (m, who) => ({
      zh: `${who.zh}：同一层级中有多个链接「${m[1]}」的捕获事件。`,
      en: `${cap(who.en)}: more than one link catch event is named "${m[1]}" in this scope.`,
    }),
  ],
  [
    /^An? <(Start|End) Event> is not allowed in <Ad Hoc Sub Process>$/,
    (m, who) => ({
      zh: `${who.zh}：自由子流程中不能有${m[1] === 'Start' ? '开始' : '结束'}事件。`,
      en: `${cap(who.en)}: an ad-hoc sub-process cannot contain ${m[1] === 'Start' ? 'a start' : 'an end'} event.`,
    }),
  ],
];
