/**
 * The XML and Query serialization traits of a botocore model: element and parameter names
 * (`locationName`), `flattened` lists and maps, each operation's `resultWrapper`, the XML
 * namespace and each modelled error's code and status. ServiceModel drops all of these when it
 * resolves shapes, so they are read here once from the same JSON.
 */

interface XmlRefJson {
  shape: string;
  locationName?: string;
  flattened?: boolean;
  resultWrapper?: string;
}

interface XmlShapeJson {
  type: string;
  members?: Record<string, XmlRefJson>;
  member?: XmlRefJson;
  key?: XmlRefJson;
  value?: XmlRefJson;
  locationName?: string;
  flattened?: boolean;
  exception?: boolean;
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
}

/** The parts of a Query-protocol `service-2.json` this file reads. */
export interface XmlModelJson {
  metadata: { apiVersion?: string; xmlNamespace?: string; protocol?: string };
  operations: Record<string, { output?: XmlRefJson }>;
  shapes: Record<string, XmlShapeJson>;
}

/** How a modelled error goes on the wire: its code, status and whose fault it is. */
export interface QueryErrorCode {
  code: string;
  status: number;
  senderFault: boolean;
}

export class QueryTraits {
  private readonly shapes: ReadonlyMap<string, XmlShapeJson>;
  private readonly resultWrappers: ReadonlyMap<string, string>;
  private readonly errors = new Map<string, QueryErrorCode>();

  constructor(json: XmlModelJson) {
    this.shapes = new Map(Object.entries(json.shapes));
    this.resultWrappers = new Map(
      Object.entries(json.operations).flatMap(([name, operation]) =>
        operation.output?.resultWrapper === undefined
          ? []
          : [[name, operation.output.resultWrapper] as const],
      ),
    );
    for (const [name, shape] of this.shapes) {
      if (shape.exception !== true && shape.error === undefined) continue;
      const code = shape.error?.code ?? name;
      const error = {
        code,
        status: shape.error?.httpStatusCode ?? 400,
        senderFault: shape.error?.senderFault === true,
      };
      // Domain errors are named after the shape (NoSuchEntityException); the wire code
      // (NoSuchEntity) is accepted too so either spelling finds the modelled status.
      this.errors.set(name, error);
      this.errors.set(code, error);
    }
  }

  /** The element or parameter name of a structure member: its locationName, else its name. */
  memberName(structure: string, member: string): string {
    const ref = this.memberRef(structure, member);
    return ref?.locationName ?? this.shapes.get(ref?.shape ?? '')?.locationName ?? member;
  }

  /** Whether a structure member (a list or map) is flattened, on the reference or its shape. */
  memberFlattened(structure: string, member: string): boolean {
    const ref = this.memberRef(structure, member);
    return ref?.flattened ?? this.shapeFlattened(ref?.shape ?? '');
  }

  /** Whether a list or map shape itself is flattened (for one nested in a list or map). */
  shapeFlattened(shape: string): boolean {
    return this.shapes.get(shape)?.flattened === true;
  }

  /** The explicit element name of a list's items, or undefined when the model sets none. */
  listMemberName(list: string): string | undefined {
    return this.refName(this.shapes.get(list)?.member);
  }

  /** The element names of a map's key and value (`key` and `value` unless renamed). */
  mapEntryNames(map: string): { key: string; value: string } {
    const shape = this.shapes.get(map);
    return { key: this.refName(shape?.key) ?? 'key', value: this.refName(shape?.value) ?? 'value' };
  }

  /** The element that wraps an operation's output members (`GetUserResult`), if any. */
  resultWrapper(operation: string): string | undefined {
    return this.resultWrappers.get(operation);
  }

  /** A modelled error by shape name or wire code, or undefined if the model has none. */
  error(codeOrShape: string): QueryErrorCode | undefined {
    return this.errors.get(codeOrShape);
  }

  private memberRef(structure: string, member: string): XmlRefJson | undefined {
    const members = this.shapes.get(structure)?.members;
    return members !== undefined && Object.hasOwn(members, member) ? members[member] : undefined;
  }

  private refName(ref: XmlRefJson | undefined): string | undefined {
    if (ref === undefined) return undefined;
    return ref.locationName ?? this.shapes.get(ref.shape)?.locationName;
  }
}
