import LifetimeValue
import TierwiseAnalytics

/// Everything the reports are made from: the stages' results and the run's facts.
public struct ReportData {
    public var features: FeatureTable
    public var rfm: RFMScores
    public var clv: CLVOutcome
    public var profit: ProfitTable
    public var churn: ChurnTable
    public var tier: TierTable
    public var tierParameters: TierParameters
    public var currency: String
    public var toolVersion: String
    public var previousRun: String?
    public var dataQuality: Summary.DataQuality
    public var stages: [Summary.StageTiming]
    public var pipelineFile: String?
    public var parameters: [(String, String)]

    public init(features: FeatureTable, rfm: RFMScores, clv: CLVOutcome, profit: ProfitTable, churn: ChurnTable, tier: TierTable,
                tierParameters: TierParameters, currency: String, toolVersion: String, previousRun: String?,
                dataQuality: Summary.DataQuality, stages: [Summary.StageTiming], pipelineFile: String?, parameters: [(String, String)]) {
        self.features = features
        self.rfm = rfm
        self.clv = clv
        self.profit = profit
        self.churn = churn
        self.tier = tier
        self.tierParameters = tierParameters
        self.currency = currency
        self.toolVersion = toolVersion
        self.previousRun = previousRun
        self.dataQuality = dataQuality
        self.stages = stages
        self.pipelineFile = pipelineFile
        self.parameters = parameters
    }
}
