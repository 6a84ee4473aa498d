/**
 * Variable scopes as Zeebe has them: the process instance's variables (the root scope) and each element instance's
 * local variables (input mappings, a multi-instance iteration's item and loop counter, results held for output
 * mappings). A name resolves at the innermost scope that has it; setting with propagation writes where the name is
 * already defined, walking outwards, else at the root.
 */
import type { Variables } from '../runtime/types';
import { ROOT, type CoreState } from './state';

export class Scopes {
  constructor(
    private readonly state: CoreState,
    readonly root: Variables,
    readonly locals: Record<string, Variables>,
  ) {}

  /** The chain of scopes from the given execution outwards, the root excluded. */
  private chain(executionId: string | undefined): string[] {
    const chain: string[] = [];
    for (let x = executionId; x && x !== ROOT; x = this.state.els[x]?.p) chain.push(x);
    return chain;
  }

  /** The local variables visible from an execution (every scope but the root), innermost winning. */
  visibleLocals(executionId: string | undefined): Variables {
    const chain = this.chain(executionId);
    const out: Variables = {};
    for (let i = chain.length - 1; i >= 0; i--) Object.assign(out, this.locals[chain[i]]);
    return out;
  }

  /** Everything visible from an execution: the root's variables under its locals. */
  visible(executionId: string | undefined): Variables {
    const locals = this.visibleLocals(executionId);
    return Object.keys(locals).length === 0 ? this.root : { ...this.root, ...locals };
  }

  setLocal(executionId: string, name: string, value: unknown): void {
    if (executionId === ROOT) this.root[name] = value;
    else (this.locals[executionId] ??= {})[name] = value;
  }

  /** Zeebe's propagation: each variable goes to the innermost scope from `executionId` out that has it, else the root. */
  propagate(executionId: string | undefined, variables: Variables): void {
    const chain = this.chain(executionId);
    for (const [name, value] of Object.entries(variables)) {
      const at = chain.find((x) => this.locals[x] && name in this.locals[x]);
      if (at) this.locals[at][name] = value;
      else this.root[name] = value;
    }
  }

  /** Sets a (possibly dotted) target path at the innermost scope that has its first segment, else the root. */
  propagatePath(executionId: string | undefined, path: string, value: unknown): void {
    const [head, ...rest] = path.split('.');
    if (rest.length === 0) {
      this.propagate(executionId, { [head]: value });
      return;
    }
    const at = this.chain(executionId).find((x) => this.locals[x] && head in this.locals[x]);
    const holder = at ? this.locals[at] : this.root;
    holder[head] = setIn(holder[head], rest, value);
  }

  drop(executionId: string): void {
    delete this.locals[executionId];
  }
}

/** A copy of `target` (an object, or a new one) with the value set at the path. */
export function setIn(target: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const base =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Variables) } : {};
  base[path[0]] = setIn(base[path[0]], path.slice(1), value);
  return base;
}
