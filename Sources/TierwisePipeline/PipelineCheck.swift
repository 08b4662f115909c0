import TierwiseIO

/// `tierwise validate`: the pipeline file was parsed already; this opens every input file
/// and checks its header against the column mapping, without reading the rows.
public enum PipelineCheck {
    public static func check(_ config: PipelineConfig) throws -> [String] {
        var lines: [String] = []
        let inputs: [(String, InputSpec?, [String], [String])] = [
            ("transactions", config.transactions, TransactionColumns.all, ["booked_at", "amount"]),
            ("accounts", config.accounts, AccountColumns.all, ["account_id", "customer_id", "product", "balance"]),
            ("customers", config.customers, CustomerColumns.all, ["customer_id"]),
        ]
        for (name, spec, columns, required) in inputs {
            guard let spec else { lines.append("\(name): not configured"); continue }
            for path in try expandInputPaths(spec, input: name) {
                let file = try CSVInputFile(input: name, path: path, spec: spec, settings: config.run, columns: columns, required: required)
                if name == "transactions" && file.header["customer_id"] == nil && (file.header["account_id"] == nil || config.accounts == nil) {
                    throw PipelineError(.dataError, "\(path):1: the transactions header has neither customer_id nor an account_id that an accounts dump resolves")
                }
                let missing = columns.filter { file.header[$0] == nil }
                lines.append("\(name): \(path) (\(file.opened.compression.rawValue)): columns \(file.header.presentColumns.joined(separator: ", "))"
                             + (missing.isEmpty ? "" : "; absent (optional): \(missing.joined(separator: ", "))"))
            }
        }
        return lines
    }
}
