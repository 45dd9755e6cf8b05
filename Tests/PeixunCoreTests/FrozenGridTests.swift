import Testing
@testable import PeixunCore

@Suite struct FrozenGridTests {
    let approved = FrozenGrid(columns: ["需求数", "计划数", "备注"], rows: [
        .init(key: "510104", name: "锦江区", cells: ["10", "40", ""]),
        .init(key: "510105", name: "青羊区", cells: ["5", "20", "无"]),
        .init(key: "小计", name: "小计", cells: ["15", "60", ""]),
    ])

    @Test func sameTableHasNoChanges() {
        #expect(approved.changes(to: approved).isEmpty)
    }

    @Test func namesEachChangedCellWithRowColumnOldAndNew() {
        let live = FrozenGrid(columns: approved.columns, rows: [
            .init(key: "510104", name: "锦江区", cells: ["12", "40", ""]),
            .init(key: "510105", name: "青羊区", cells: ["5", "20", "改"]),
            .init(key: "小计", name: "小计", cells: ["17", "60", ""]),
        ])
        #expect(approved.changes(to: live) == [
            .init(key: "510104", name: "锦江区", column: "需求数", before: "10", after: "12"),
            .init(key: "510105", name: "青羊区", column: "备注", before: "无", after: "改"),
            .init(key: "小计", name: "小计", column: "需求数", before: "15", after: "17"),
        ])
    }

    @Test func rowsThatAppearOrGoAreNamed() {
        let live = FrozenGrid(columns: approved.columns, rows: [
            .init(key: "510104", name: "锦江区", cells: ["10", "40", ""]),
            .init(key: "小计", name: "小计", cells: ["15", "60", ""]),
            .init(key: "510199", name: "新区", cells: ["1", "2", ""]),
        ])
        let changes = approved.changes(to: live)
        #expect(changes.filter { $0.key == "510105" }.map(\.after) == [nil, nil, nil])
        #expect(changes.filter { $0.key == "510199" }.map(\.before) == [nil, nil, nil])
        #expect(changes.filter { $0.key == "510199" }.map(\.after) == ["1", "2", ""])
    }

    @Test func columnsAreMatchedByName() {
        let live = FrozenGrid(columns: ["计划数", "需求数"], rows: [.init(key: "510104", name: "锦江区", cells: ["40", "10"])])
        let changes = FrozenGrid(columns: approved.columns, rows: [approved.rows[0]]).changes(to: live)
        #expect(changes == [.init(key: "510104", name: "锦江区", column: "备注", before: "", after: nil)])
    }
}
