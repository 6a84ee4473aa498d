/**
 * form-js in Chinese. form-js has no translation hook: its select placeholder ("Select"), search box, empty lists and
 * validation messages ("Field is required.") are fixed English strings. On a Chinese page the form's container is
 * watched and each of them replaced by its Chinese (form-texts.ts) as form-js renders it.
 */
import { keepChinese } from './dom-texts';
import { formText } from './form-texts';

/** Keeps form-js's strings in the container Chinese while the page is; answers a function that stops watching. */
export function chineseFormTexts(container: HTMLElement): () => void {
  return keepChinese(container, formText);
}
