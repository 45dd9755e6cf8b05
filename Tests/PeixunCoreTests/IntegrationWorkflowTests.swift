import Testing
@testable import PeixunCore

@Suite struct IntegrationWorkflowTests {
    @Test func aCountyWorksUntilItSubmitsAndAgainWhenSentBack() {
        let open = IntegrationWorkflow.countyActions(role: .county, county: .open, city: .open, openConflicts: 0)
        #expect(open == WorkflowActions(mayVerify: true, maySubmit: true))
        #expect(IntegrationWorkflow.countyActions(role: .county, county: .open, city: .open, openConflicts: 2)
            == WorkflowActions(mayVerify: true, maySubmit: false), "conflicts block the submission, not the verification")
        #expect(IntegrationWorkflow.countyActions(role: .county, county: .submitted, city: .open, openConflicts: 0) == WorkflowActions())
        #expect(IntegrationWorkflow.countyActions(role: .county, county: .returned, city: .returned, openConflicts: 0).maySubmit)
        #expect(IntegrationWorkflow.countyActions(role: .county, county: .returned, city: .submitted, openConflicts: 0) == WorkflowActions(),
                "once the city has submitted, the county waits")
    }

    @Test func theCitySendsBackSubmittedCountiesAndSubmitsWhenAllHave() {
        #expect(IntegrationWorkflow.countyActions(role: .city, county: .submitted, city: .open, openConflicts: 0).maySendBack)
        #expect(!IntegrationWorkflow.countyActions(role: .city, county: .open, city: .open, openConflicts: 0).maySendBack)
        #expect(!IntegrationWorkflow.countyActions(role: .city, county: .submitted, city: .approved, openConflicts: 0).maySendBack)
        #expect(IntegrationWorkflow.cityActions(role: .city, city: .open, counties: [.submitted, .submitted]).maySubmit)
        #expect(!IntegrationWorkflow.cityActions(role: .city, city: .open, counties: [.submitted, .returned]).maySubmit)
        #expect(!IntegrationWorkflow.cityActions(role: .city, city: .open, counties: []).maySubmit)
        #expect(!IntegrationWorkflow.cityActions(role: .city, city: .submitted, counties: [.submitted]).maySubmit)
    }

    @Test func theProvinceApprovesOrSendsBackASubmittedCityAndMayReopen() {
        #expect(IntegrationWorkflow.cityActions(role: .province, city: .submitted, counties: [.submitted])
            == WorkflowActions(maySendBack: true, mayApprove: true))
        #expect(IntegrationWorkflow.cityActions(role: .province, city: .open, counties: [.submitted]) == WorkflowActions())
        #expect(IntegrationWorkflow.cityActions(role: .province, city: .approved, counties: [.submitted]) == WorkflowActions(mayReopen: true))
        for role in [Role.institution, .reviewer, .teacher] {
            #expect(IntegrationWorkflow.cityActions(role: role, city: .submitted, counties: [.submitted]) == WorkflowActions())
            #expect(IntegrationWorkflow.countyActions(role: role, county: .open, city: .open, openConflicts: 0) == WorkflowActions())
        }
    }

    @Test func theDeadlineIsTheEndOfSeptemberAndLatenessIsOnlyFlagged() {
        let deadline = IntegrationWorkflow.defaultDeadline(year: 2017)
        #expect(deadline == CivilDate(year: 2017, month: 9, day: 30))
        #expect(!ApprovalDeadline.isLate(submittedOn: CivilDate(year: 2017, month: 9, day: 30)!, deadline: deadline))
        #expect(ApprovalDeadline.isLate(submittedOn: CivilDate(year: 2017, month: 10, day: 1)!, deadline: deadline))
    }
}
