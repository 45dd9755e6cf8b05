import PeixunCore
import Testing

/// The one derivation of a scope from an account (`RegionScope(role:regionCode:teacherID:directory:)`),
/// with Sichuan alone and with 全国 above two provinces, and the account rules built on it.
@Suite struct RegionScopeDerivationTests {
    let sichuan = RegionDirectory.sichuan
    let nation = RegionDirectory.national(scale: 2)

    private func scope(_ role: Role, _ code: String?, teacher: Int? = nil, in directory: RegionDirectory) -> RegionScope {
        RegionScope(role: role, regionCode: code, teacherID: teacher, directory: directory)
    }

    @Test func topOfTheTreeSeesEverythingAndAProvinceBelowItOnlyItself() {
        #expect(scope(.province, "510000", in: sichuan) == .all)
        #expect(scope(.province, "000000", in: nation) == .all)
        #expect(scope(.province, "510000", in: nation) == .province("510000"))
        #expect(scope(.province, "900000", in: nation) == .province("900000"))
        #expect(scope(.city, "510100", in: nation) == .city("510100"))
        #expect(scope(.county, "900104", in: nation) == .county("900104"))
        #expect(scope(.teacher, "510104", teacher: 7, in: nation) == .teacher(7))
    }

    @Test func aMissingUnknownOrWrongLevelRegionSeesNothing() {
        for directory in [sichuan, nation] {
            #expect(scope(.province, nil, in: directory) == .none)
            #expect(scope(.province, "999999", in: directory) == .none)
            #expect(scope(.province, "510100", in: directory) == .none, "a city code on a province account")
            #expect(scope(.city, "510000", in: directory) == .none, "a province code on a city account")
            #expect(scope(.city, "510104", in: directory) == .none)
            #expect(scope(.county, "510100", in: directory) == .none)
            #expect(scope(.county, nil, in: directory) == .none)
            #expect(scope(.teacher, "510104", in: directory) == .none)
            #expect(scope(.reviewer, "510000", in: directory) == .none)
            #expect(scope(.institution, nil, in: directory) == .none)
        }
        // Sichuan's tree has no 全国: an account on it is unknown there.
        #expect(scope(.province, "000000", in: sichuan) == .none)
    }

    @Test func aProvinceBelowTheNationCannotManageTheNationOrAnotherProvince() {
        let sheng = AccountPolicy.Actor(role: .province, regionCode: "510000")
        func refusal(_ actor: AccountPolicy.Actor, _ role: Role, _ code: String?) -> AccountPolicy.Refusal? {
            do {
                try AccountPolicy.check(actor: actor, managing: role, regionCode: code, directory: nation)
                return nil
            } catch {
                return error
            }
        }
        #expect(refusal(sheng, .province, "000000") == .regionOutsideScope)
        #expect(refusal(sheng, .province, "900000") == .regionOutsideScope)
        #expect(refusal(sheng, .city, "900100") == .regionOutsideScope)
        #expect(refusal(sheng, .county, "900104") == .regionOutsideScope)
        #expect(refusal(sheng, .city, "510100") == nil)
        #expect(refusal(sheng, .province, "510000") == nil, "another account for its own province")
        // Reviewers and institutions belong to no region: only the top office manages them.
        #expect(refusal(sheng, .reviewer, nil) == .roleNotAllowed(.reviewer))
        #expect(refusal(sheng, .institution, nil) == .roleNotAllowed(.institution))
        #expect(AccountPolicy.creatableRoles(by: sheng, in: nation) == [.city, .county, .province])
        let quanguo = AccountPolicy.Actor(role: .province, regionCode: "000000")
        #expect(refusal(quanguo, .province, "510000") == nil)
        #expect(refusal(quanguo, .county, "900104") == nil)
        #expect(refusal(quanguo, .reviewer, nil) == nil)
        // With Sichuan alone nothing changes for its province office.
        #expect(AccountPolicy.creatableRoles(by: sheng, in: sichuan) == [.city, .county, .institution, .reviewer, .province])
        // An account whose region is gone manages nobody.
        #expect(AccountPolicy.creatableRoles(by: .init(role: .province, regionCode: nil), in: nation).isEmpty)
        #expect(AccountPolicy.creatableRoles(by: .init(role: .city, regionCode: "519999"), in: sichuan).isEmpty)
    }
}
