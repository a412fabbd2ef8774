import AWSClients
import AWSSigner
import Foundation
import InfraJSON
import Testing

/// The XML reader, the error parser and the batching rules, without a server.
@Suite struct UnitTests {
    @Test func xmlReaderHandlesNamespacesEntitiesAndCDATA() throws {
        let xml = try XMLNode.parse(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- listing -->
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>b</Name>
              <Contents><Key>a&amp;b &lt;c&gt; &#x00FC;&#252;</Key><Size>3</Size></Contents>
              <Contents><Key><![CDATA[x<y&z]]></Key><Size/></Contents>
              <s3:IsTruncated xmlns:s3="x">false</s3:IsTruncated>
            </ListBucketResult>
            """
        )
        #expect(xml.name == "ListBucketResult")
        #expect(xml.attributes["xmlns"] == "http://s3.amazonaws.com/doc/2006-03-01/")
        #expect(xml.children(named: "Contents").map { $0.string("Key") } == ["a&b <c> üü", "x<y&z"])
        #expect(xml.string("IsTruncated") == "false")
        #expect(xml.find("Size")?.text == "3")
        #expect(throws: XMLParseError.self) { try XMLNode.parse("<a><b></a>") }
        #expect(throws: XMLParseError.self) { try XMLNode.parse("<a>") }
        #expect(XMLNode.escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&apos;")
        // Per scalar: a quote followed by a combining mark is still a quote byte.
        #expect(XMLNode.escape("\"\u{301}") == "&quot;\u{301}")
        // An entity's `;` followed by a combining mark is still the end of the entity.
        #expect(try XMLNode.parse("<a b=\"&apos;\u{655}\">&apos;\u{655}&lt;&#x41;&bogus;</a>").text == "'\u{655}<A&bogus;")
        #expect(try XMLNode.parse("<a b=\"&apos;\u{655}\"/>").attributes["b"] == "'\u{655}")
    }

    @Test func xmlNestedBeyondTheDepthLimitIsRefusedNotACrash() throws {
        let deep = String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
        #expect(throws: XMLParseError.self) { try XMLNode.parse(deep) }
        let fine = String(repeating: "<a>", count: 200) + "x" + String(repeating: "</a>", count: 200)
        #expect(try XMLNode.parse(fine).name == "a")
    }

    @Test(arguments: [
        (
            400, [("x", "y")], #"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"no table"}"#,
            "ResourceNotFoundException", "no table"
        ),
        (400, [], #"{"__type":"ValidationException","Message":"bad"}"#, "ValidationException", "bad"),
        (
            404, [("x-amzn-errortype", "ResourceNotFoundException:http://internal.amazon.com/")], #"{"message":"gone"}"#, "ResourceNotFoundException",
            "gone"
        ),
        (
            400, [],
            "<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error><RequestId>r-1</RequestId></ErrorResponse>",
            "NotFound", "Topic does not exist"
        ),
        (
            404, [], "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>r-2</RequestId></Error>",
            "NoSuchKey", "The specified key does not exist."
        ),
        (503, [], "", "ServiceUnavailable", ""),
    ])
    func errorParsing(status: Int, headers: [(String, String)], body: String, code: String, message: String) {
        let error = AWSErrorParser.parse(AWSHTTPResponse(status: status, headers: headers, body: Array(body.utf8)), service: .dynamoDB)
        #expect(error.code == code)
        #expect(error.message == message)
        #expect(error.status == status)
    }

    @Test func queryErrorCarriesTheRequestID() {
        let body = "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r-9</RequestId></ErrorResponse>"
        let error = AWSErrorParser.parse(AWSHTTPResponse(status: 400, body: Array(body.utf8)), service: .cloudWatch)
        #expect(error.requestID == "r-9")
        #expect(error.isThrottling)
        #expect(error.isRetryable)
        #expect(error.description == "monitoring Throttling (HTTP 400): Rate exceeded [request id r-9]")
    }

    @Test func cloudWatchBatchesUnderBothLimits() {
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        let small = (0..<2500).map { MetricDatum(name: "m", value: Double($0), timestamp: now) }
        let batches = CloudWatchClient.batches(namespace: "InfraMonitoring", data: small)
        #expect(batches.count == 3)
        #expect(batches.map { $0.filter { $0.0.hasSuffix(".MetricName") }.count } == [1000, 1000, 500])
        #expect(batches.allSatisfy { $0.first! == ("Namespace", "InfraMonitoring") })
        #expect(batches[1].contains { $0 == ("MetricData.member.1.Value", "1000.0") })
        let wide = (0..<600).map {
            MetricDatum(
                name: String(repeating: "n", count: 200),
                value: Double($0),
                timestamp: now,
                dimensions: (0..<10).map { ("Dimension\($0)", String(repeating: "v", count: 150)) }
            )
        }
        let wideBatches = CloudWatchClient.batches(namespace: "InfraMonitoring", data: wide)
        #expect(wideBatches.count > 1)
        for batch in wideBatches {
            let bytes = batch.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 2 }
            #expect(bytes <= CloudWatchClient.maxPayloadBytes)
        }
        #expect(wideBatches.reduce(0) { $0 + $1.filter { $0.0.hasSuffix(".MetricName") }.count } == 600)
    }

    @Test func logEventsAreSortedAndSplit() {
        let events = (0..<25_000).map { LogEvent(timestamp: Int64(25_000 - $0), message: "m") }
        let batches = CloudWatchLogsClient.batches(events)
        #expect(batches.map(\.count) == [10_000, 10_000, 5000])
        #expect(batches[0].first?.timestamp == 1)
        let spread = [LogEvent(timestamp: 0, message: "a"), LogEvent(timestamp: 86_400_000, message: "b")]
        #expect(CloudWatchLogsClient.batches(spread).count == 2)
        let big = (0..<3).map { LogEvent(timestamp: Int64($0), message: String(repeating: "x", count: 500_000)) }
        #expect(CloudWatchLogsClient.batches(big).map(\.count) == [2, 1])
    }

    @Test func s3AddressingFollowsTheEndpoint() {
        let provider = StaticCredentialProvider(AWSCredentials(accessKeyID: "a", secretAccessKey: "b"))
        let aws = S3Client(client: AWSClient(configuration: AWSClientConfiguration(region: "eu-west-1", credentialProvider: provider)))
        #expect(aws.url(bucket: "bkt", key: "raw/a b+c.json").absoluteString == "https://bkt.s3.eu-west-1.amazonaws.com/raw/a%20b%2Bc.json")
        let moto = S3Client(
            client: AWSClient(
                configuration: AWSClientConfiguration(
                    region: "eu-west-1",
                    credentialProvider: provider,
                    endpointURL: URL(string: "http://127.0.0.1:5000")!
                )
            )
        )
        #expect(moto.url(bucket: "bkt", key: "raw/x", query: [("list-type", "2")]).absoluteString == "http://127.0.0.1:5000/bkt/raw/x?list-type=2")
        let client = AWSClient(configuration: AWSClientConfiguration(region: "us-east-2", credentialProvider: provider))
        #expect(client.endpoint(for: .dynamoDB).absoluteString == "https://dynamodb.us-east-2.amazonaws.com")
    }
}
