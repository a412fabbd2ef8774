import Foundation
import Yams

/// A CloudFormation template as value types, encoded with sorted keys so the output is stable.
public struct Template: Sendable, Encodable {
    public var formatVersion = "2010-09-09"
    public var description: String
    public var parameters: [String: Parameter] = [:]
    public var conditions: [String: TemplateValue] = [:]
    public var resources: [String: Resource] = [:]
    public var outputs: [String: TemplateOutput] = [:]

    public init(description: String) {
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "AWSTemplateFormatVersion"
        case description = "Description"
        case parameters = "Parameters"
        case conditions = "Conditions"
        case resources = "Resources"
        case outputs = "Outputs"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encode(description, forKey: .description)
        if !parameters.isEmpty { try container.encode(parameters, forKey: .parameters) }
        if !conditions.isEmpty { try container.encode(conditions, forKey: .conditions) }
        try container.encode(resources, forKey: .resources)
        if !outputs.isEmpty { try container.encode(outputs, forKey: .outputs) }
    }

    /// The output formats of `deploy template`.
    public enum Format: String, Sendable, CaseIterable {
        case json, yaml
    }

    /// The template as text in `format`, keys sorted.
    public func rendered(_ format: Format) throws -> String {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        case .yaml:
            let encoder = YAMLEncoder()
            encoder.options.sortKeys = true
            encoder.options.width = -1
            return try encoder.encode(self)
        }
    }
}

/// A template parameter an operator may set at deploy time.
public struct Parameter: Sendable, Encodable {
    public var type: String
    public var description: String
    public var defaultValue: String?
    public var allowedPattern: String?
    public var constraintDescription: String?
    public var minValue: Int?
    public var maxValue: Int?
    public var allowedValues: [String]?

    public init(
        type: String = "String",
        description: String,
        defaultValue: String? = nil,
        allowedPattern: String? = nil,
        constraintDescription: String? = nil,
        minValue: Int? = nil,
        maxValue: Int? = nil,
        allowedValues: [String]? = nil
    ) {
        self.type = type
        self.description = description
        self.defaultValue = defaultValue
        self.allowedPattern = allowedPattern
        self.constraintDescription = constraintDescription
        self.minValue = minValue
        self.maxValue = maxValue
        self.allowedValues = allowedValues
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type"
        case description = "Description"
        case defaultValue = "Default"
        case allowedPattern = "AllowedPattern"
        case constraintDescription = "ConstraintDescription"
        case minValue = "MinValue"
        case maxValue = "MaxValue"
        case allowedValues = "AllowedValues"
    }
}

/// A resource: its type, properties and the attributes CloudFormation reads beside them.
public struct Resource: Sendable, Encodable {
    public var type: String
    public var properties: [String: TemplateValue]
    public var dependsOn: [String]?
    public var deletionPolicy: String?
    public var updateReplacePolicy: String?
    public var condition: String?

    public init(
        _ type: String,
        _ properties: [String: TemplateValue],
        dependsOn: [String]? = nil,
        deletionPolicy: String? = nil,
        condition: String? = nil
    ) {
        self.type = type
        self.properties = properties
        self.dependsOn = dependsOn
        self.deletionPolicy = deletionPolicy
        // UpdateReplacePolicy has no RetainExceptOnCreate: a replaced resource is kept.
        self.updateReplacePolicy = deletionPolicy == "RetainExceptOnCreate" ? "Retain" : deletionPolicy
        self.condition = condition
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type"
        case properties = "Properties"
        case dependsOn = "DependsOn"
        case deletionPolicy = "DeletionPolicy"
        case updateReplacePolicy = "UpdateReplacePolicy"
        case condition = "Condition"
    }
}

/// A stack output, read by `deploy apply` and by operators.
public struct TemplateOutput: Sendable, Encodable {
    public var description: String
    public var value: TemplateValue

    public init(_ description: String, _ value: TemplateValue) {
        self.description = description
        self.value = value
    }

    enum CodingKeys: String, CodingKey {
        case description = "Description"
        case value = "Value"
    }
}
