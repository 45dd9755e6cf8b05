/// Where the links and forms about one batch go, for the county's page and the city's and
/// the province's overview alike.
struct BatchLinks: Encodable, Sendable {
    let batchesURL = SiteURL.integration(.batches).path
    /// The county's list: without a county (the form adds it), and for that county (search cleared).
    let countyURL: String
    let clearSearchURL: String
    let feedbackWorkbookURL: String
    let feedbackURL: String
    let submitURL: String
    let addURL: String
    let deadlineURL: String
    let submitCityURL: String
    let sendBackCountyURL: String
    let sendBackCityURL: String
    let approveURL: String
    let reopenURL: String

    init(batchID: Int, county: String? = nil) {
        let batch = SiteURL.Parameter.value(batchID)
        func url(_ url: SiteURL.Integration) -> String { SiteURL.integration(url).path }
        countyURL = url(.county(batch))
        clearSearchURL = url(.county(batch, county: county))
        feedbackWorkbookURL = url(.feedbackWorkbook(batch, county: county))
        feedbackURL = url(.feedback(batch))
        submitURL = url(.submit(batch))
        addURL = url(.add(batch))
        deadlineURL = url(.deadline(batch))
        submitCityURL = url(.decide(batch, .submitCity))
        sendBackCountyURL = url(.decide(batch, .sendBackCounty))
        sendBackCityURL = url(.decide(batch, .sendBackCity))
        approveURL = url(.decide(batch, .approve))
        reopenURL = url(.decide(batch, .reopen))
    }
}
