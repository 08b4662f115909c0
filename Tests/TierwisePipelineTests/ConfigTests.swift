import Testing
import TierwisePipeline
import TierwiseTestSupport

func configError(_ toml: String) -> String? {
    let folder = TestSupport.temporaryFolder()
    TestSupport.write(folder + "/p.toml", toml)
    do {
        _ = try PipelineConfig.load(path: folder + "/p.toml")
        return nil
    } catch {
        return "\(error)"
    }
}

@Test func unknownKeyNamesTheKeyAndTheClosestKnownOne() {
    let message = configError("[tier.shares]\nA = 0.05\nBB = 0.1\n")
    #expect(message?.contains("tier.shares.BB: unknown key") == true)
    #expect(message?.contains("did you mean \"B\"") == true)
    let top = configError("[churn]\ndormant_dayz = 30\n")
    #expect(top?.contains("churn.dormant_dayz: unknown key; did you mean \"dormant_days\"?") == true)
}

@Test func outOfRangeValuesNameTheKeyAndTheRange() {
    #expect(configError("[profit]\nftp_rates = { savings = -0.5 }\n")?.contains("profit.ftp_rates.savings: is -0.5; allowed -0.05 to 1.0") == true)
    #expect(configError("[tier.shares]\nA = 0.5\nB = 0.4\nC = 0.3\n")?.contains("tier.shares: A + B + C is 120 %; allowed at most 100 %") == true)
    #expect(configError("[run]\nreject_threshold = 2\n")?.contains("run.reject_threshold: is 2.0; allowed 0.0 to 1.0") == true)
    #expect(configError("[clv]\ntime_unit = \"months\"\n")?.contains("clv.time_unit: is \"months\"; allowed \"days\", \"weeks\"") == true)
    #expect(configError("[inputs.transactions]\npaths = \"t.csv\"\n[inputs.transactions.columns]\ncustomer = \"x\"\n")?.contains("did you mean \"customer_id\"") == true)
    #expect(configError("not toml = = 1")?.contains("not valid TOML at line 1") == true)
}

@Test func pathsResolveAgainstThePipelineFile() throws {
    let folder = TestSupport.temporaryFolder()
    TestSupport.write(folder + "/conf/p.toml", "[run]\noutput = \"../out\"\n[inputs.transactions]\npaths = [\"data/t.csv\", \"/abs/u.csv\"]\n")
    let c = try PipelineConfig.load(path: folder + "/conf/p.toml")
    #expect(c.run.output == folder + "/conf/../out")
    #expect(c.transactions.paths == [folder + "/conf/data/t.csv", "/abs/u.csv"])
    #expect(c.sourceSha256?.count == 64)
}

@Test func theShippedPipelinesParse() throws {
    for name in ["sample", "nightly"] {
        let c = try PipelineConfig.load(path: TestSupport.packageRoot + "/pipelines/\(name).toml")
        #expect(c.tier.shareA == 0.05)
    }
    let nightly = try PipelineConfig.load(path: TestSupport.packageRoot + "/pipelines/nightly.toml")
    #expect(nightly.run.logFormat == .json)
    #expect(nightly.run.rejectThreshold == 0.01)
    #expect(nightly.transactions.header(for: "customer_id") == "CUST_NO")
}
