import InfraJSON
import Testing

@Suite struct JSONParsingTests {
    @Test(arguments: [
        ("null", "null"),
        ("true", "true"),
        (" [1, 2.5, -3e2, 0.1] ", "[1,2.5,-300,0.1]"),
        ("{\"b\":1,\"a\":{\"d\":[],\"c\":{}}}", "{\"a\":{\"c\":{},\"d\":[]},\"b\":1}"),
        ("\"a\\n\\\"b\\\\\\u00e9\\ud83d\\ude00\\/\"", "\"a\\n\\\"b\\\\é😀/\""),
        ("3.0", "3"),
        ("-0.0", "0"),
        ("9007199254740992", "9007199254740992"),
        ("1e300", "1e+300"),
        ("1e-7", "1e-07"),
        ("{\"a\":1,\"a\":2}", "{\"a\":2}"),
        ("\"\\u0001\"", "\"\\u0001\""),
        ("12345678901234567890", "1.2345678901234567e+19"),
    ])
    func parsesAndPrintsCompact(input: String, expected: String) throws {
        let value = try JSON(parsing: input)
        #expect(value.text == expected)
        #expect(try JSON(parsing: value.text) == value)
        #expect(try JSON(parsing: Array(input.utf8)) == value)
    }

    @Test(arguments: [
        ("", "unexpected end of input", 0),
        ("\u{FEFF}{}", "byte-order mark is not allowed", 0),
        ("{} x", "unexpected trailing characters", 3),
        ("[1,]", "unexpected character", 3),
        ("{\"a\" 1}", "expected ':' after object key", 5),
        ("01", "leading zero in number", 0),
        ("1.", "expected digit after decimal point", 2),
        ("1e999", "number out of range", 0),
        ("-1e999", "number out of range", 0),
        ("\"\\ud800\"", "lone surrogate escape", 1),
        ("\"\\udc00\"", "lone surrogate escape", 1),
        ("\"\\ud800\\u0041\"", "lone surrogate escape", 1),
        ("\"\\x\"", "invalid escape sequence", 1),
        ("\"a\u{01}\"", "unescaped control character in string", 2),
        ("\"abc", "unterminated string", 0),
        ("tru", "invalid literal", 0),
        ("NaN", "unexpected character", 0),
        ("[1 2]", "expected ',' or ']' in array", 3),
        ("{1:2}", "expected a string key in object", 1),
    ])
    func rejectsInvalidText(input: String, message: String, offset: Int) {
        #expect(throws: JSONParseError(message: message, offset: offset)) { try JSON(parsing: input) }
    }

    @Test(
        arguments: [
            [0x22, 0xC3, 0x28, 0x22],  // bad continuation
            [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
            [0x22, 0xFF, 0x22],
        ] as [[UInt8]]
    )
    func rejectsInvalidUTF8(bytes: [UInt8]) {
        #expect(throws: JSONParseError.self) { try JSON(parsing: bytes) }
    }

    @Test func rejectsExcessiveNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSON(parsing: deep) }
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? JSON(parsing: ok)) != nil)
    }

    @Test func errorDescriptionNamesOffset() {
        #expect(JSONParseError(message: "invalid literal", offset: 4).description == "invalid literal at byte offset 4")
    }
}

@Suite struct JSONValueTests {
    @Test func prettyTextIsIndentedWithSortedKeys() {
        let value: JSON = ["z": [1, true, nil], "a": ["x": "y"], "e": [], "o": [:]]
        #expect(
            value.prettyText == """
                {
                  "a": {
                    "x": "y"
                  },
                  "e": [],
                  "o": {},
                  "z": [
                    1,
                    true,
                    null
                  ]
                }
                """
        )
    }

    @Test func accessors() throws {
        let value = try JSON(parsing: #"{"s":"x","n":2.5,"i":42,"b":false,"a":[1],"o":{"k":null}}"#)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["n"]?.doubleValue == 2.5)
        #expect(value["n"]?.intValue == nil)
        #expect(value["i"]?.intValue == 42)
        #expect(value["b"]?.boolValue == false)
        #expect(value["a"]?.arrayValue == [1])
        #expect(value["o"]?.objectValue == ["k": .null])
        #expect(value["missing"] == nil)
        #expect(value["s"]?["x"] == nil)
        #expect(JSON.number(1e300).intValue == nil)
    }

    @Test func literalsBuildValues() {
        let value: JSON = ["a": 1, "b": 2.5, "c": "s", "d": true, "e": nil, "f": [1, "x"]]
        #expect(value.text == #"{"a":1,"b":2.5,"c":"s","d":true,"e":null,"f":[1,"x"]}"#)
    }

    @Test func nonFiniteNumbersPrintAsNull() {
        #expect(JSON.number(.infinity).text == "null")
        #expect(JSON.number(.nan).text == "null")
    }
}
