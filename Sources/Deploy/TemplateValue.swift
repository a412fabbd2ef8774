/// A value in a CloudFormation template: plain JSON-like data or an intrinsic function.
///
/// Intrinsic functions are cases of their own so that references between resources are checked
/// by the compiler's shape, never assembled as strings; they encode to the long form
/// (`{"Ref": …}`, `{"Fn::GetAtt": [...]}`), which both the JSON and the YAML templates accept.
public indirect enum TemplateValue: Sendable, Hashable, Encodable {
    case string(String)
    case number(Double)
    case int(Int)
    case bool(Bool)
    case list([TemplateValue])
    case object([String: TemplateValue])
    /// `Ref`: a parameter's value or a resource's primary identifier.
    case ref(String)
    /// `Fn::GetAtt`: an attribute of a resource, such as its `Arn`.
    case getAtt(String, String)
    /// `Fn::Sub` with `${Name}` placeholders resolved from parameters, resources and pseudo parameters.
    case sub(String)
    /// `Fn::Sub` with an explicit variable map.
    case subWith(String, [String: TemplateValue])
    /// `Fn::Join`.
    case join(String, [TemplateValue])
    /// `Fn::If` on a condition of the template.
    case ifCondition(String, TemplateValue, TemplateValue)
    /// `Fn::Equals`, for conditions.
    case equals(TemplateValue, TemplateValue)
    /// `Fn::Not`, for conditions.
    case not(TemplateValue)

    /// The pseudo parameter `AWS::NoValue`, which removes a property when used in `Fn::If`.
    public static let noValue = TemplateValue.ref("AWS::NoValue")

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .number(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .int(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .list(let values):
            var container = encoder.singleValueContainer()
            try container.encode(values)
        case .object(let values):
            var container = encoder.singleValueContainer()
            try container.encode(values)
        case .ref(let name):
            try Self.function("Ref", .string(name), to: encoder)
        case .getAtt(let resource, let attribute):
            try Self.function("Fn::GetAtt", .list([.string(resource), .string(attribute)]), to: encoder)
        case .sub(let text):
            try Self.function("Fn::Sub", .string(text), to: encoder)
        case .subWith(let text, let variables):
            try Self.function("Fn::Sub", .list([.string(text), .object(variables)]), to: encoder)
        case .join(let separator, let values):
            try Self.function("Fn::Join", .list([.string(separator), .list(values)]), to: encoder)
        case .ifCondition(let condition, let then, let otherwise):
            try Self.function("Fn::If", .list([.string(condition), then, otherwise]), to: encoder)
        case .equals(let left, let right):
            try Self.function("Fn::Equals", .list([left, right]), to: encoder)
        case .not(let condition):
            try Self.function("Fn::Not", .list([condition]), to: encoder)
        }
    }

    private static func function(_ name: String, _ argument: TemplateValue, to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode([name: argument])
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        var object: [String: TemplateValue] = [:]
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}
