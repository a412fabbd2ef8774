public import AWSClients

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// EC2 service discovery as Prometheus's `ec2_sd_configs` does it: every instance with a private
/// IP becomes a target `PRIVATE_IP:PORT` with the `__meta_ec2_*` labels Prometheus defines.
public enum EC2Discovery {
    /// EC2's Query API (version 2016-11-15).
    public static let service = AWSService(signingName: "ec2", endpointPrefix: "ec2", serviceProtocol: .query(version: "2016-11-15"))

    /// The targets of one `DescribeInstances` response page, one group per instance (each has its
    /// own meta labels), and the page's `nextToken`.
    /// - Parameters:
    ///   - response: the response's root element (`DescribeInstancesResponse`).
    ///   - availabilityZoneIDs: zone name → zone ID (from `DescribeAvailabilityZones`), for
    ///     `__meta_ec2_availability_zone_id`; empty values without it, as Prometheus when that call fails.
    public static func targetGroups(
        response: XMLNode,
        config: EC2SDConfig,
        availabilityZoneIDs: [String: String] = [:]
    ) -> (groups: [TargetGroup], nextToken: String?) {
        var groups: [TargetGroup] = []
        for reservation in response.child("reservationSet")?.children(named: "item") ?? [] {
            let owner = reservation.string("ownerId")
            for instance in reservation.child("instancesSet")?.children(named: "item") ?? [] {
                guard let privateIP = nonEmpty(instance.string("privateIpAddress")) else { continue }
                var labels: [String: String] = [:]
                labels["__meta_ec2_instance_id"] = instance.string("instanceId") ?? ""
                labels["__meta_ec2_region"] = config.region
                if let owner { labels["__meta_ec2_owner_id"] = owner }
                labels["__meta_ec2_private_ip"] = privateIP
                if let dns = instance.string("privateDnsName") { labels["__meta_ec2_private_dns_name"] = dns }
                let address = privateIP.contains(":") ? "[\(privateIP)]:\(config.port)" : "\(privateIP):\(config.port)"
                if let platform = nonEmpty(instance.string("platform")) { labels["__meta_ec2_platform"] = platform }
                if let publicIP = nonEmpty(instance.string("ipAddress")) {
                    labels["__meta_ec2_public_ip"] = publicIP
                    labels["__meta_ec2_public_dns_name"] = instance.string("dnsName") ?? ""
                }
                labels["__meta_ec2_ami"] = instance.string("imageId") ?? ""
                let zone = instance.string("placement", "availabilityZone") ?? ""
                labels["__meta_ec2_availability_zone"] = zone
                labels["__meta_ec2_availability_zone_id"] = availabilityZoneIDs[zone] ?? ""
                labels["__meta_ec2_instance_state"] = instance.string("instanceState", "name") ?? ""
                labels["__meta_ec2_instance_type"] = instance.string("instanceType") ?? ""
                if let lifecycle = nonEmpty(instance.string("instanceLifecycle")) { labels["__meta_ec2_instance_lifecycle"] = lifecycle }
                if let architecture = nonEmpty(instance.string("architecture")) { labels["__meta_ec2_architecture"] = architecture }
                if let vpc = nonEmpty(instance.string("vpcId")) {
                    labels["__meta_ec2_vpc_id"] = vpc
                    labels["__meta_ec2_primary_subnet_id"] = instance.string("subnetId") ?? ""
                    var subnets: [String] = []
                    var ipv6: [String] = []
                    var primaryIPv6: [String] = []
                    for interface in instance.child("networkInterfaceSet")?.children(named: "item") ?? [] {
                        guard let subnet = nonEmpty(interface.string("subnetId")) else { continue }
                        if !subnets.contains(subnet) { subnets.append(subnet) }
                        for entry in interface.child("ipv6AddressesSet")?.children(named: "item") ?? [] {
                            guard let address = nonEmpty(entry.string("ipv6Address")) else { continue }
                            ipv6.append(address)
                            if entry.string("isPrimaryIpv6") == "true", let index = Int(interface.string("attachment", "deviceIndex") ?? ""),
                                index >= 0
                            {
                                while primaryIPv6.count <= index { primaryIPv6.append("") }
                                primaryIPv6[index] = address
                            }
                        }
                    }
                    labels["__meta_ec2_subnet_id"] = "," + subnets.joined(separator: ",") + ","
                    if !ipv6.isEmpty { labels["__meta_ec2_ipv6_addresses"] = "," + ipv6.joined(separator: ",") + "," }
                    if !primaryIPv6.isEmpty { labels["__meta_ec2_primary_ipv6_addresses"] = "," + primaryIPv6.joined(separator: ",") + "," }
                }
                for tag in instance.child("tagSet")?.children(named: "item") ?? [] {
                    guard let key = tag.string("key"), let value = tag.string("value") else { continue }
                    labels["__meta_ec2_tag_" + sanitizeLabelName(key)] = value
                }
                groups.append(TargetGroup(targets: [address], labels: labels, source: "ec2:\(config.region)"))
            }
        }
        return (groups, nonEmpty(response.string("nextToken")))
    }

    /// The `DescribeInstances` parameters of the config's filters and a page token.
    public static func parameters(for config: EC2SDConfig, nextToken: String?) -> [(String, String)] {
        var parameters: [(String, String)] = []
        for (index, filter) in config.filters.enumerated() {
            parameters.append(("Filter.\(index + 1).Name", filter.name))
            for (valueIndex, value) in filter.values.enumerated() {
                parameters.append(("Filter.\(index + 1).Value.\(valueIndex + 1)", value))
            }
        }
        if let nextToken { parameters.append(("NextToken", nextToken)) }
        return parameters
    }

    /// Lists the instances of `config` through a signed, paginated `DescribeInstances` (and
    /// `DescribeAvailabilityZones` for the zone IDs, ignored when refused), with the standard
    /// credential chain. `config.endpoint` replaces EC2's endpoint. At most 100 pages.
    public static func list(_ config: EC2SDConfig, environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> [TargetGroup]
    {
        let configuration = AWSClientConfiguration.standard(
            region: config.region,
            endpointURL: config.endpoint.flatMap { URL(string: $0) },
            environment: environment
        )
        let client = AWSClient(configuration: configuration)
        var zoneIDs: [String: String] = [:]
        if let zones = try? await client.query(service, action: "DescribeAvailabilityZones") {
            for zone in zones.child("availabilityZoneInfo")?.children(named: "item") ?? [] {
                if let name = zone.string("zoneName"), let id = zone.string("zoneId") { zoneIDs[name] = id }
            }
        }
        var groups: [TargetGroup] = []
        var token: String?
        for _ in 0..<100 {
            let page: XMLNode
            do {
                page = try await client.query(service, action: "DescribeInstances", parameters: parameters(for: config, nextToken: token))
            } catch {
                throw FleetError.ec2Discovery(region: config.region, detail: "\(error)")
            }
            let (pageGroups, next) = targetGroups(response: page, config: config, availabilityZoneIDs: zoneIDs)
            groups += pageGroups
            guard let next, next != token else { break }
            token = next
        }
        return groups
    }

    /// Prometheus's `strutil.SanitizeLabelName`: every character outside `[a-zA-Z0-9_]` becomes `_`.
    public static func sanitizeLabelName(_ name: String) -> String {
        String(
            String.UnicodeScalarView(
                name.unicodeScalars.map { scalar in
                    scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_") ? scalar : "_"
                }
            )
        )
    }

    private static func nonEmpty(_ text: String?) -> String? { text.flatMap { $0.isEmpty ? nil : $0 } }
}
