// Disposable helpers in the style of vscode-extension-samples' custom-editor-sample (src/dispose.ts).
// Structural types only, so files without `vscode` can use them too.

/** Anything with a `dispose()`: a `vscode.Disposable`, an event subscription, our own classes. */
export interface DisposableLike {
  dispose(): unknown;
}

/** Disposes every item, last registered first, and empties the array. One failure does not stop the rest. */
export function disposeAll(disposables: DisposableLike[]): void {
  while (disposables.length > 0) {
    try {
      disposables.pop()?.dispose();
    } catch (error) {
      console.error('label-audit: dispose failed', error);
    }
  }
}

/** Base class for objects that own other disposables: register them with {@link _register}. */
export abstract class Disposable implements DisposableLike {
  private disposed = false;
  protected readonly _disposables: DisposableLike[] = [];

  /** Disposes everything registered; safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeAll(this._disposables);
  }

  /** Keeps `value` until this object is disposed (at once, if it already is); returns it. */
  protected _register<T extends DisposableLike>(value: T): T {
    if (this.disposed) value.dispose();
    else this._disposables.push(value);
    return value;
  }

  /** True once {@link dispose} has run. */
  protected get isDisposed(): boolean {
    return this.disposed;
  }
}
