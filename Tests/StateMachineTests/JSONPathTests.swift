import InfraJSON
import Testing

@testable import StateMachine

/// The "store" document of the Jayway JsonPath README.
private let store: JSON = try! JSON(
    parsing: #"""
        {
          "store": {
            "book": [
              {"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century", "price": 8.95},
              {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour", "price": 12.99},
              {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553-21311-3", "price": 8.99},
              {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99}
            ],
            "bicycle": {"color": "red", "price": 19.95}
          },
          "expensive": 10
        }
        """#
)

private let books = store["store"]?["book"]?.arrayValue ?? []
private let bicycle = store["store"]?["bicycle"] ?? .null

/// Selects with `path` from `document` (as the input and the context).
private func select(_ path: String, in document: JSON = store) throws -> JSON? {
    try JSONPath.parse(path).select(input: document, context: document)
}

/// The Jayway JsonPath syntax that Step Functions accepts in Paths: deep scan, unions, stepped slices and
/// filter expressions, with Reference Paths still limited to single nodes.
@Suite struct JSONPathTests {
    /// The examples of the Jayway README with their documented results (object members in key order).
    @Test(
        arguments: [
            ("$.store.book[*].author", ["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"]),
            ("$..author", ["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"]),
            ("$.store.*", [bicycle, .array(books)]),
            ("$.store..price", [19.95, 8.95, 12.99, 8.99, 22.99]),
            ("$..book[2]", [books[2]]),
            ("$..book[-2]", [books[2]]),
            ("$..book[0,1]", [books[0], books[1]]),
            ("$..book[:2]", [books[0], books[1]]),
            ("$..book[1:2]", [books[1]]),
            ("$..book[-2:]", [books[2], books[3]]),
            ("$..book[2:]", [books[2], books[3]]),
            ("$..book[?(@.isbn)]", [books[2], books[3]]),
            ("$.store.book[?(@.price < 10)]", [books[0], books[2]]),
            ("$.store.book[?(@.price<10)]", [books[0], books[2]]),
            ("$..book[?(@.price <= $['expensive'])]", [books[0], books[2]]),
            ("$.store.book[?(@.isbn)].author", ["Herman Melville", "J. R. R. Tolkien"]),
            ("$.store.book[?(@.price > 10)]", [books[1], books[3]]),
        ] as [(String, JSON)]
    )
    func jaywayReadmeExamples(_ path: String, _ expected: JSON) throws {
        #expect(try select(path) == expected, "\(path)")
    }

    @Test func everythingDeepScanCountsEveryNodeButTheRoot() throws {
        let all = try #require(try select("$..*")?.arrayValue)
        // store, expensive; book, bicycle; 4 books; 4 + 4 + 5 + 5 book members; 2 bicycle members.
        #expect(all.count == 28)
        #expect(all.prefix(2) == [10, store["store"] ?? nil])
        #expect(all.contains(10) && all.contains("red") && all.contains(.array(books)))
    }

    @Test(
        arguments: [
            // Stepped slices.
            ("$.store.book[0:4:2]", [books[0], books[2]]),
            ("$.store.book[::3]", [books[0], books[3]]),
            ("$.store.book[1::2]", [books[1], books[3]]),
            ("$.store.book[-3:-1:1]", [books[1], books[2]]),
            ("$.store.book[::]", .array(books)),
            ("$.store.book[3:1]", []),
            ("$.store.book[-100:100:9223372036854775807]", [books[0]]),
            // Index unions, in the order listed, repeats kept, out of range skipped.
            ("$.store.book[0,2,-1].title", ["Sayings of the Century", "Moby Dick", "The Lord of the Rings"]),
            ("$.store.book[ 3 , 3 , 9 ].price", [22.99, 22.99]),
            // Name unions: merged when they end the path (a definite result), iterated otherwise.
            (
                "$.store.book[*]['author','price']",
                [
                    ["author": "Nigel Rees", "price": 8.95], ["author": "Evelyn Waugh", "price": 12.99],
                    ["author": "Herman Melville", "price": 8.99], ["author": "J. R. R. Tolkien", "price": 22.99],
                ]
            ),
            ("$.store['bicycle','book'].price", [19.95]),
            ("$.store['book', \"bicycle\"][0].title", ["Sayings of the Century"]),
            // Deep scan of brackets.
            ("$..[0].author", ["Nigel Rees"]),
            ("$..['color']", ["red"]),
            ("$..['color','price']", [["color": "red", "price": 19.95]]),
            ("$..book..isbn", ["0-553-21311-3", "0-395-19395-8"]),
            ("$..[?(@.price > 20)]", [books[3]]),
            ("$..[?(@.color)]", [bicycle]),
            ("$..missing", []),
            // Filters: logic, literals and operators.
            ("$.store.book[?(@.category == 'fiction' && @.price < 20)].author", ["Evelyn Waugh", "Herman Melville"]),
            ("$.store.book[?(@.price > 20 || @.category == \"reference\")].price", [8.95, 22.99]),
            ("$.store.book[?(!@.isbn)].price", [8.95, 12.99]),
            ("$.store.book[?(!(@.price < 10) && !!@.isbn)].price", [22.99]),
            ("$.store.book[?((@.price < 9 || @.price > 20) && @.isbn)].price", [8.99, 22.99]),
            ("$.store.book[?(@.category in ['reference', 'poetry'])].price", [8.95]),
            ("$.store.book[?(@.category nin ['reference'])].price", [12.99, 8.99, 22.99]),
            ("$.store.book[?(10 > @.price)].price", [8.95, 8.99]),
            ("$.store.book[?(@.price >= 12.99)].price", [12.99, 22.99]),
            ("$.store.book[?(@.price != 12.99)].price", [8.95, 8.99, 22.99]),
            ("$.store.book[?(@.author === 'Herman Melville')].price", [8.99]),
            ("$.store.book[?(@.author !== 'Herman Melville')].price", [8.95, 12.99, 22.99]),
            ("$.store.book[?(@.author > 'I')].price", [8.95, 22.99]),
            ("$.store.book[?(@['title'] <= 'Moby Dick')].price", [8.99]),
            ("$.store.book[?(@.isbn == '0-395-19395-8')].price", [22.99]),
            ("$.store.book[?(@.isbn != '0-395-19395-8')].price", [8.95, 12.99, 8.99]),
            ("$.store.book[?(@.price < $.expensive && @.price > $.store.book[0].price)].price", [8.99]),
            ("$.store.book[?(@.price > $.store.bicycle.price)].price", [22.99]),
            ("$.store.book[?(@.price > $..bicycle.price)].price", []),
            // A filter on an object tests the object itself (Jayway), never scalars.
            ("$.store.bicycle[?(@.color == 'red')].price", [19.95]),
            ("$.store[?(@.book[?(@.price > 20)])].bicycle.color", ["red"]),
            ("$.store[?(@.book[?(@.price > 30)])]", []),
            ("$.store.bicycle.color[?(@ == 'red')]", []),
        ] as [(String, JSON)]
    )
    func selectionTable(_ path: String, _ expected: JSON) throws {
        #expect(try select(path) == expected, "\(path)")
    }

    @Test(
        arguments: [
            ("$[?(@ > 1)]", [2, "3", 4, nil, true, "b"], [2, 4]),
            ("$[?(@ < 'c')]", [2, "3", 4, nil, true, "b"], ["3", "b"]),
            ("$[?(@ == '3')]", [2, "3", 3, "b"], ["3"]),
            ("$[?(@ == 3)]", [2, "3", 3, 3.0, "b"], [3, 3]),
            ("$[?(@ == true)]", [true, "true", 1, false], [true]),
            ("$[?(@ == null)]", [nil, "null", 0, false], [nil]),
            ("$[?(@.a == null)]", [["a": nil], ["b": 1], ["a": 0]], [["a": nil]]),
            ("$[?(@.a != 1)]", [["a": 1], ["b": 1], ["a": "1"]], [["b": 1], ["a": "1"]]),
            ("$[?(@.a < 2)]", [["a": 1], ["b": 1], ["a": "1"]], [["a": 1]]),
            ("$[?(@.a == @.b)]", [["a": 1, "b": 1], ["a": 1], [:], ["a": [1], "b": [1]]], [["a": 1, "b": 1], ["a": [1], "b": [1]]]),
            ("$[?(@.a == [1, 'x'])]", [["a": [1, "x"]], ["a": [1]], ["a": "x"]], [["a": [1, "x"]]]),
            ("$[?(@ in [1, 'a', null, [2]])]", [1, "1", "a", nil, [2], 2], [1, "a", nil, [2]]),
            ("$[?(@ nin [1, 'a'])]", [1, "1", "a", nil], ["1", nil]),
            ("$[?(@.a nin [1])]", [["a": 1], ["b": 1]], [["b": 1]]),
            ("$[?(@ in $[0])]", [[1, 2], 1, 3, 2], [1, 2]),
            ("$[?(@.tags[?(@ == 'x')])].id", [["id": 1, "tags": ["x", "y"]], ["id": 2, "tags": ["y"]], ["id": 3]], [1]),
            ("$[?(@.a[*])].id", [["id": 1, "a": [1]], ["id": 2, "a": []], ["id": 3, "a": 4]], [1]),
            ("$[?(@..x)].id", [["id": 1, "b": ["c": ["x": 0]]], ["id": 2, "x": nil], ["id": 3]], [1, 2]),
            ("$[?(@[0] == 'a')]", [["a", "b"], ["b"], "a"], [["a", "b"]]),
            ("$[?(@[-1] > 1)]", [[1, 2], [2, 1], []], [[1, 2]]),
            ("$[?(@.s == 'it\\'s')]", [["s": "it's"], ["s": "its"]], [["s": "it's"]]),
            ("$[?(@.n == -1.5e1)]", [["n": -15], ["n": 15]], [["n": -15]]),
            ("$[?(@.é == 1)]", [["é": 1], ["e": 1]], [["é": 1]]),
            ("$.a..[?(@ > 1)]", ["a": [1, 2, [3]]], []),
        ] as [(String, JSON, JSON)]
    )
    func filterSemantics(_ path: String, _ document: JSON, _ expected: JSON) throws {
        #expect(try select(path, in: document) == expected, "\(path)")
    }

    @Test func stringsCompareByUTF16CodeUnitsLikeJava() throws {
        // U+FF21 (one UTF-16 unit) sorts after U+1F600 (a surrogate pair, 0xD83D …) in Java's order.
        let document: JSON = ["\u{FF21}", "\u{1F600}"]
        #expect(try select("$[?(@ > '\u{1F600}')]", in: document) == ["\u{FF21}"])
        // Canonically equivalent but differently encoded strings are not equal, as in Java.
        #expect(try select("$[?(@ == 'e\u{301}')]", in: ["\u{E9}", "e\u{301}"]) == ["e\u{301}"])
    }

    @Test(
        arguments: [
            ("$.store.bicycle['color','price']", ["color": "red", "price": 19.95] as JSON?),
            ("$.store.bicycle['color','size']", ["color": "red"]),
            ("$['expensive']['a','b']", nil),
            ("$.missing['a','b']", nil),
            ("$.missing[*]", []),
            ("$.missing..a", []),
            ("$.store.book[?(@.price > 100)]", []),
            ("$.store.book[7]", nil),
            ("$.store.book[-1].price", 22.99),
            ("$", store),
        ] as [(String, JSON?)]
    )
    func definitePathsGiveANodeOthersAnArray(_ path: String, _ expected: JSON?) throws {
        #expect(try select(path) == expected, "\(path)")
    }

    @Test(arguments: [
        ("$", true), ("$$.Execution.Id", true), ("$.a.b[0]['c d'][-1]", true),
        ("$.a[*]", false), ("$.a.*", false), ("$.a[1:2]", false), ("$.a[::2]", false), ("$..a", false),
        ("$..[0]", false), ("$.a['b','c']", false), ("$.a[0,1]", false), ("$.a[?(@.b)]", false), ("$.a[?(@.b)].c", false),
    ])
    func referencePathsAreSingleNodePaths(_ path: String, _ isReference: Bool) throws {
        #expect(try JSONPath.parse(path).isReference == isReference, "\(path)")
    }

    @Test(arguments: [
        ("a.b", "path must start with '$'"),
        ("", "path must start with '$'"),
        ("$1", "unexpected '1' at position 1"),
        ("$.a.", "path ends with '.'"),
        ("$.a b", "unexpected ' ' in field name at position 3"),
        ("$.a.[0]", "empty field name at position 4"),
        ("$.a[", "unterminated '[' at position 3"),
        ("$.a[1", "unterminated '[' at position 3"),
        ("$.a[]", "empty brackets at position 3"),
        ("$.a[*x]", "expected ']' after '*' at position 5"),
        ("$.a['b", "unterminated quoted field name at position 4"),
        ("$.a['b'x]", "expected ',' or ']' after a quoted field name at position 7"),
        ("$.a['b',0]", "expected a quoted field name after ',' at position 8"),
        ("$.a['b'", "unterminated '[' at position 3"),
        ("$.a[x]", "invalid array index 'x' at position 4"),
        ("$.a[0,'b']", "invalid array index ''b'' at position 6"),
        ("$.a[0,]", "missing array index at position 6"),
        ("$.a[99999999999999999999]", "invalid array index '99999999999999999999' at position 4"),
        ("$.a[1:x]", "invalid slice bound 'x' at position 6"),
        ("$.a[1:2:x]", "invalid slice step 'x' at position 8"),
        ("$.a[1:2:0]", "slice step cannot be 0 at position 8"),
        ("$.a[::-1]", "negative slice steps are not supported at position 6"),
        ("$.a[1:2:3:4]", "a slice has at most three parts at position 9"),
        ("$.a[1,2:3]", "a bracket cannot mix ',' and ':' at position 7"),
        ("$..", "path ends with '..'"),
        ("$...a", "unexpected '.' after '..' at position 3"),
        ("$.a[(@.length-1)]", "script expressions '[(...)]' are not supported at position 4"),
        ("$.a[?@.b]", "expected '(' after '?' at position 5"),
        ("$.a[?(@.b == 1)", "unterminated '[' at position 3"),
        ("$.a[?(@.b == 1]", "unexpected ']' in filter expression at position 14"),
        ("$.a[?(@.b == 1) x]", "expected ']' after the filter expression at position 16"),
        ("$.a[?(@.b", "unterminated filter expression at position 5"),
        ("$.a[?()]", "unexpected ')' in filter expression at position 6"),
        ("$.a[?(@.b ==)]", "unexpected ')' in filter expression at position 12"),
        ("$.a[?(@.b =~ /x/)]", "regular expression matching '=~' is not supported at position 10"),
        ("$.a[?(/x/ == @.b)]", "regular expressions are not supported at position 6"),
        ("$.a[?(@.b = 1)]", "use '==' to compare at position 10"),
        ("$.a[?(@.b & @.c)]", "use '&&' for a logical and at position 10"),
        ("$.a[?(@.b | @.c)]", "use '||' for a logical or at position 10"),
        ("$.a[?(@.b size 2)]", "the filter operator 'size' is not supported at position 10"),
        ("$.a[?(@.b like 2)]", "unknown filter operator 'like' at position 10"),
        ("$.a[?(1)]", "expected a comparison operator after the literal at position 6"),
        ("$.a[?(yes)]", "unexpected 'yes' in filter expression at position 6"),
        ("$.a[?(@.b == 'x)]", "unterminated string literal at position 13"),
        ("$.a[?(@.b == 1e999)]", "invalid number '1e999' at position 13"),
        ("$.a[?(@.b == 1-2)]", "invalid number '1-2' at position 13"),
        ("$.a[?(@.b in [1, 2)]", "expected ',' or ']' in the array literal at position 18"),
        ("$.a[?(@.b in [1, @.c])]", "an array literal can hold only literal values at position 17"),
        ("$.a[?(@.b in [1, 2", "unterminated array literal at position 13"),
        ("$.a[?(!@.b == 1)]", "negate a comparison with parentheses, as in !(@.a == 1) at position 11"),
        ("$.a[?(!1)]", "'!' must be followed by a path or a parenthesized expression at position 7"),
        ("$.a[?((@.b == 1)]", "unexpected ']' in filter expression at position 16"),
        ("$.a[?((@.b == 1 @.c)]", "expected ')' at position 16"),
        ("$.a[?((@.b == 1", "unclosed '(' at position 6"),
        ("$.a[?($$.x == 1)]", "the context object '$$' cannot be used in a filter expression at position 6"),
        ("$.a[?(@.length() > 1)]", "path functions such as 'length()' are not supported at position 14"),
        ("$.a[?(@. == 1)]", "empty field name at position 8"),
        ("$.a[?(@.b == #)]", "unexpected '#' in filter expression at position 13"),
    ])
    func invalidPathsSayWhatAndWhere(_ path: String, _ message: String) {
        #expect(throws: PathSyntaxError.self) { _ = try JSONPath.parse(path) }
        do {
            _ = try JSONPath.parse(path)
        } catch {
            #expect(error.message == message, "\(path)")
        }
    }

    @Test(arguments: [
        "$" + String(repeating: "[?(@", count: 65) + String(repeating: ")]", count: 65),
        "$[?(" + String(repeating: "(", count: 100) + "@.a" + String(repeating: ")", count: 100) + ")]",
        "$[?(" + String(repeating: "!", count: 10_000) + "@.a)]",
        "$[?(@ in " + String(repeating: "[", count: 10_000) + ")]",
        "$[?(" + String(repeating: "@[?(", count: 5_000),
    ])
    func deepNestingIsRejectedWithoutRecursingUnboundedly(_ path: String) {
        do {
            _ = try JSONPath.parse(path)
            Issue.record("accepted a path nested \(path.count) characters deep")
        } catch {
            #expect(error.message.hasPrefix("the path nests more than 64 levels deep at position "), "\(error.message)")
        }
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let path = "$" + String(repeating: "[?(@", count: 64) + String(repeating: ")]", count: 64)
        let parsed = try JSONPath.parse(path)
        #expect(parsed.select(input: [:], context: [:]) == [[:]])
    }

    @Test func hostileSelectionsGiveUpInsteadOfExhaustingMemory() throws {
        var chain: JSON = 1
        for _ in 0..<40 { chain = ["a": chain, "b": [chain]] }
        let explosive = try JSONPath.parse("$" + String(repeating: "..*", count: 8))
        #expect(explosive.select(input: chain, context: [:]) == nil)
        let nestedScans = try JSONPath.parse("$..[?(@..[?(@..[?(@..[?(@..[?(@.zz)])])])])]")
        #expect(nestedScans.select(input: chain, context: [:]) == nil)
    }

    @Test func referencePathsSelectAndSetAsBefore() throws {
        let document: JSON = ["a": ["b": [1, ["c": true], 3]], "d": nil]
        #expect(try select("$.a.b[1].c", in: document) == true)
        #expect(try select("$['a']['b'][-1]", in: document) == 3)
        #expect(try select("$.d", in: document) == .null)
        #expect(try select("$.a.x", in: document) == nil)
        #expect(try select("$.a.b[3]", in: document) == nil)
        #expect(try select("$.a.b.c", in: document) == nil)
        #expect(try select("$.a.b[*]", in: document) == [1, ["c": true], 3])
        #expect(try select("$.a.b[0:2]", in: document) == [1, ["c": true]])
        #expect(try JSONPath.parse("$$.x").select(input: [:], context: ["x": 1]) == 1)
        #expect(try JSONPath.parse("$.a.b[1].z").setting(2, in: document) == ["a": ["b": [1, ["c": true, "z": 2], 3]], "d": nil])
    }

    @Test(arguments: [
        "$..a", "$.a['b','c']", "$.a[0,1]", "$.a[?(@.b)]", "$.a[::2]", "$..[?(@.x == 1)]",
    ])
    func resultPathRejectsMultiNodeForms(_ path: String) throws {
        let text = #"{"StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"\#(path)","End":true}}}"#
        do {
            _ = try StateMachineDefinition(parsing: text)
            Issue.record("ResultPath \(path) was accepted")
        } catch {
            #expect(error.problems.contains { $0.path == "$.States.A.ResultPath" && $0.message.contains("must be a reference path") })
        }
    }

    @Test(arguments: [
        "$..a", "$.a['b','c']", "$.a[0,1]", "$.a[?(@.b > 1 && @.c in ['x'])]", "$.a[1::2]", "$..[?(@.x == 1)].y",
    ])
    func inputAndOutputPathsAcceptTheFullSyntax(_ path: String) throws {
        let text = #"{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"\#(path)","OutputPath":"\#(path)","End":true}}}"#
        _ = try StateMachineDefinition(parsing: text)
    }

    @Test func arbitraryInputNeverCrashes() {
        let pieces = [
            "$", "$$", "@", ".", "..", "*", "[", "]", "(", ")", "?", "'", "\"", ",", ":", "-1", "0", "2", "a", "b", " ", "==", "!",
            "<", ">=", "&&", "||", "in", "nin", "true", "null", "[?(", ")]", "\\", "$.a", "@.b", "[0]", "[*]", "1.5",
        ]
        let document: JSON = ["a": ["b": [1, "two", ["c": true]], "d": nil], "list": [1, 2, 3], "text": "x"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var parsed = 0
        for _ in 0..<20_000 {
            var text = "$"
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for step in 0..<Int(state >> 60) + 1 {
                let mixed = state >> UInt64(step % 5 * 12)
                text += pieces[Int(mixed % UInt64(pieces.count))]
            }
            guard let path = try? JSONPath.parse(text) else { continue }
            parsed += 1
            _ = path.select(input: document, context: document)
            if path.isReference { _ = path.setting("value", in: document) }
        }
        #expect(parsed > 0)
    }
}
