//! Roles and the permission table.
//!
//! A role says what an account may do; the org node it is bound to says where (see
//! [`crate::scope`]). The table is code, not data, so that a permission cannot be granted by
//! editing a row, and it is tested below.

use crate::org::OrgLevel;
use serde::{Deserialize, Serialize};

/// The roles of DESIGN.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 居民: reports problems, follows and rates them.
    Resident,
    /// 网格员: patrols, visits, reports and verifies in one or more grids.
    GridWorker,
    /// 楼栋长: looks after a building.
    BuildingHead,
    /// 党员: looks after linked households.
    PartyMember,
    /// 社区工作人员: handles within a community or village.
    CommunityStaff,
    /// 社区书记: accepts, dispatches and supervises within a community or village.
    CommunitySecretary,
    /// 部门处置人员: handles what is dispatched to a department.
    DepartmentHandler,
    /// 综治中心: screens, dispatches and supervises a street or town.
    CommandCenter,
    /// 管理员: keeps the org tree, accounts and settings of a subtree.
    Admin,
}

/// What an account may do, within its scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See the org tree, its nodes and departments.
    OrgView,
    /// Add, rename, move, retire nodes; edit boundaries; import a tree.
    OrgManage,
    /// Add and edit departments.
    DepartmentManage,
    /// See accounts.
    UserView,
    /// Create accounts, change their role and node, reset passwords, disable them.
    UserManage,
    /// Browse the audit log.
    AuditView,
    /// Issue and revoke API tokens for machines.
    TokenManage,
    /// See the people registry (buildings' households and residents), masked.
    PeopleView,
    /// Add and edit households and residents, record moves, visits and archives.
    PeopleManage,
    /// Import a population ledger and export the registry.
    PeopleImport,
    /// See a resident's full ID number and phone (every view is audited).
    PeopleFullView,
    /// Log a visit (走访) to a household and turn a need found into a case.
    VisitLog,
    /// See the party organizations laid over the tree (党组织).
    PartyView,
    /// Set up party organizations, edit them, record their elections, members, household
    /// links and meetings.
    PartyManage,
    /// See party members' party data (stage, posts, standing, 失联, transfers) and the
    /// attendance of meetings: street party staff and branch secretaries (every view of a
    /// member's record is audited).
    PartyMemberView,
}

impl Role {
    /// Every role, in the order the UI lists them.
    pub const ALL: [Role; 9] = [
        Role::Admin,
        Role::CommandCenter,
        Role::CommunitySecretary,
        Role::CommunityStaff,
        Role::GridWorker,
        Role::DepartmentHandler,
        Role::BuildingHead,
        Role::PartyMember,
        Role::Resident,
    ];

    /// The identifier stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::GridWorker => "grid_worker",
            Role::BuildingHead => "building_head",
            Role::PartyMember => "party_member",
            Role::CommunityStaff => "community_staff",
            Role::CommunitySecretary => "community_secretary",
            Role::DepartmentHandler => "department_handler",
            Role::CommandCenter => "command_center",
            Role::Admin => "admin",
        }
    }

    /// Parses the identifier (or the Chinese label).
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.label() == s)
    }

    /// The Chinese name of the role.
    pub fn label(self) -> &'static str {
        match self {
            Role::Resident => "居民",
            Role::GridWorker => "网格员",
            Role::BuildingHead => "楼栋长",
            Role::PartyMember => "党员",
            Role::CommunityStaff => "社区工作人员",
            Role::CommunitySecretary => "社区书记",
            Role::DepartmentHandler => "部门处置人员",
            Role::CommandCenter => "综治中心",
            Role::Admin => "管理员",
        }
    }

    /// The permission table.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin => &[
                OrgView,
                OrgManage,
                DepartmentManage,
                UserView,
                UserManage,
                AuditView,
                TokenManage,
                PeopleView,
                PeopleImport,
                PartyView,
                PartyManage,
            ],
            Role::CommandCenter => &[
                OrgView,
                DepartmentManage,
                UserView,
                PeopleView,
                PeopleImport,
                PeopleFullView,
                PartyView,
                PartyManage,
                PartyMemberView,
            ],
            Role::CommunitySecretary => &[
                OrgView,
                UserView,
                PeopleView,
                PeopleManage,
                PeopleImport,
                PeopleFullView,
                VisitLog,
                PartyView,
                PartyManage,
                PartyMemberView,
            ],
            Role::CommunityStaff => &[OrgView, PeopleView, PeopleManage, VisitLog, PartyView],
            Role::GridWorker => &[
                OrgView,
                PeopleView,
                PeopleManage,
                PeopleFullView,
                VisitLog,
                PartyView,
            ],
            // A party member looks after households (联户) and visits them: the registry of
            // their node, masked, the party tree, and their own record.
            Role::PartyMember => &[OrgView, PeopleView, VisitLog, PartyView],
            Role::DepartmentHandler | Role::BuildingHead | Role::Resident => &[OrgView],
        }
    }

    /// Whether the role has a permission.
    pub fn can(self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }

    /// The levels of node an account of this role may be bound to.
    pub fn bindable_levels(self) -> &'static [OrgLevel] {
        use OrgLevel::*;
        match self {
            Role::Admin => &[District, Township, Community],
            Role::CommandCenter => &[District, Township, Community],
            Role::CommunitySecretary | Role::CommunityStaff => &[Community],
            Role::GridWorker => &[Grid, MicroGrid],
            Role::DepartmentHandler => &[District, Township, Community],
            Role::BuildingHead => &[MicroGrid, Building],
            Role::PartyMember | Role::Resident => &[Community, Grid, MicroGrid, Building],
        }
    }

    /// Whether the role works for the street (staff), rather than being a resident, a building
    /// head or a party member who reports and follows their own cases.
    pub fn is_staff(self) -> bool {
        !matches!(
            self,
            Role::Resident | Role::BuildingHead | Role::PartyMember
        )
    }

    /// The rights over residents' personal data this role holds.
    pub fn personal_data_rights(self) -> impl Iterator<Item = Permission> {
        use Permission::*;
        [
            PeopleView,
            PeopleManage,
            PeopleImport,
            PeopleFullView,
            VisitLog,
            PartyMemberView,
        ]
        .into_iter()
        .filter(move |p| self.can(*p))
    }

    /// Whether every right over personal data this role holds, `other` holds too: then an
    /// account of `other` that took over an account of this role (by resetting its password)
    /// would gain no sight of people it does not already have.
    pub fn personal_data_within(self, other: Role) -> bool {
        self.personal_data_rights().all(|p| other.can(p))
    }

    /// Whether a service account (a machine's, used through tokens, with no password) may have
    /// this role: one that neither sees full personal data nor manages accounts or tokens.
    pub fn may_be_service(self) -> bool {
        use Permission::*;
        !(self.can(PeopleFullView)
            || self.can(PartyMemberView)
            || self.can(UserManage)
            || self.can(TokenManage))
    }

    /// Whether an account of this role takes the cases dispatched to the node it is bound to
    /// (a grid's worker, a community's staff…). Residents, building heads and party members
    /// bound to the same node do not: they report and follow; department handlers take what
    /// is dispatched to their department instead.
    pub fn handles_at_node(self) -> bool {
        self.is_staff() && self != Role::DepartmentHandler
    }

    /// Whether an account of this role must also name a department.
    pub fn needs_department(self) -> bool {
        matches!(self, Role::DepartmentHandler)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage_accounts_and_read_the_audit_log() {
        for r in Role::ALL {
            assert_eq!(r.can(Permission::UserManage), r == Role::Admin, "{r:?}");
            assert_eq!(r.can(Permission::AuditView), r == Role::Admin, "{r:?}");
            assert_eq!(r.can(Permission::OrgManage), r == Role::Admin, "{r:?}");
            assert!(r.can(Permission::OrgView), "{r:?} sees its own subtree");
        }
        assert!(Role::CommandCenter.can(Permission::DepartmentManage));
        assert!(!Role::GridWorker.can(Permission::UserView));
    }

    #[test]
    fn full_personal_data_is_for_few_roles() {
        use Permission::*;
        let full: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.can(PeopleFullView))
            .collect();
        assert_eq!(
            full,
            [
                Role::CommandCenter,
                Role::CommunitySecretary,
                Role::GridWorker
            ]
        );
        for r in Role::ALL {
            // Whoever may do more than look at the registry may look at it.
            if r.can(PeopleManage)
                || r.can(PeopleImport)
                || r.can(PeopleFullView)
                || r.can(VisitLog)
            {
                assert!(r.can(PeopleView), "{r:?}");
            }
        }
        assert!(!Role::Resident.can(PeopleView));
        assert!(!Role::DepartmentHandler.can(PeopleView));
        assert!(!Role::Admin.can(PeopleFullView));
    }

    #[test]
    fn an_administrator_takes_over_no_account_that_sees_more_people_than_it() {
        let within: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.personal_data_within(Role::Admin))
            .collect();
        assert_eq!(
            within,
            [
                Role::Admin,
                Role::DepartmentHandler,
                Role::BuildingHead,
                Role::Resident
            ]
        );
        for r in Role::ALL {
            assert!(r.personal_data_within(r), "{r:?}");
        }
        assert!(Role::GridWorker.personal_data_within(Role::CommunitySecretary));
        assert!(!Role::CommandCenter.personal_data_within(Role::CommunityStaff));
        let services: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.may_be_service())
            .collect();
        assert_eq!(
            services,
            [
                Role::CommunityStaff,
                Role::DepartmentHandler,
                Role::BuildingHead,
                Role::PartyMember,
                Role::Resident
            ]
        );
    }

    #[test]
    fn roles_round_trip_and_bind_sensibly() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(Role::parse(r.label()), Some(r));
            assert!(!r.bindable_levels().is_empty());
        }
        assert_eq!(Role::parse("superuser"), None);
        assert!(Role::GridWorker.bindable_levels().contains(&OrgLevel::Grid));
        assert!(
            !Role::GridWorker
                .bindable_levels()
                .contains(&OrgLevel::Community)
        );
        assert!(Role::DepartmentHandler.needs_department());
        assert!(Role::GridWorker.is_staff() && !Role::Resident.is_staff());
        assert!(!Role::Admin.needs_department());
        for r in [
            Role::Resident,
            Role::BuildingHead,
            Role::PartyMember,
            Role::DepartmentHandler,
        ] {
            assert!(!r.handles_at_node(), "{r:?}");
        }
        assert!(Role::GridWorker.handles_at_node() && Role::CommunitySecretary.handles_at_node());
    }
}
