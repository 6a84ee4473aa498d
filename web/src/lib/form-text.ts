/**
 * form-js's text view, with what its expressions insert shown as text. The built-in view renders the whole result of
 * `=expression` or `{{ … }}` as Markdown with HTML, so a variable holding what someone typed (the 1+X members'
 * opinions on the draft-solution form) could put a live link or image on the next person's form. This view passes
 * every inserted value through literalMarkdown (the way form-js's own HTML view escapes what it inserts); the static
 * Markdown an admin writes around the insertions still renders. Registered over the built-in "text" field by
 * `literalTextModule`, for every form the tasklist shows, so a form an admin adds in the modeler is covered too.
 */
import { h } from 'preact';
import { Text, sanitizeHTML, useTemplateEvaluation } from '@bpmn-io/form-js';
import { literalMarkdown } from './literal-markdown';

interface TextViewProps {
  field: { text?: string; strict?: boolean };
  disableLinks?: boolean;
}

interface FormFields {
  register(type: string, formField: unknown): void;
}

interface MarkdownRenderer {
  render(markdown: string): string;
}

interface FormState {
  _getState(): { properties: { textLinkTarget?: string } };
}

class LiteralTextViews {
  static $inject = ['formFields', 'markdownRenderer', 'form'];

  constructor(formFields: FormFields, markdownRenderer: MarkdownRenderer, form: FormState) {
    const LiteralText = (props: TextViewProps) => {
      const { field, disableLinks } = props;
      const markdown = useTemplateEvaluation(field.text ?? '', {
        debug: true,
        strict: field.strict ?? false,
        sanitizer: literalMarkdown,
      }) as string;
      const holder = document.createElement('div');
      holder.innerHTML = sanitizeHTML(markdownRenderer.render(markdown));
      const { textLinkTarget } = form._getState().properties;
      // Links the admin wrote in the static text: treated as the built-in view treats them.
      for (const link of holder.querySelectorAll('a')) {
        if (disableLinks) {
          link.setAttribute('class', 'fjs-disabled-link');
          link.setAttribute('tabIndex', '-1');
        }
        if (textLinkTarget) link.setAttribute('target', textLinkTarget);
      }
      return h('div', {
        class: 'fjs-form-field fjs-form-field-text',
        dangerouslySetInnerHTML: { __html: holder.innerHTML },
      });
    };
    // Same type, name and properties as the built-in view (the editor and the importer read them from here).
    LiteralText.config = (Text as unknown as { config: unknown }).config;
    formFields.register('text', LiteralText);
  }
}

/** A form-js module (`additionalModules`) replacing the built-in text view with LiteralText. */
export const literalTextModule = {
  __init__: ['literalTextViews'],
  literalTextViews: ['type', LiteralTextViews],
};
